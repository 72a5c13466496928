import React, { useEffect, useMemo, useState } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router-dom';
import { api } from '../api.js';
import { Empty, Loading, Pager, ProblemBox, useResource } from '../components/ui.jsx';
import { STATUS_LABELS, formatDateTime } from '../format.js';
import { StatusBadge } from './CasePage.jsx';
import { loadCatalog, processNames } from './catalog.js';

const LIMIT = 20;

export default function CaseListPage({ mine = false }) {
  const navigate = useNavigate();
  const [params, setParams] = useSearchParams();
  const status = params.get('status') || '';
  const process = params.get('process') || '';
  const offset = Number(params.get('offset') || 0) || 0;
  const [catalog, setCatalog] = useState([]);
  useEffect(() => { loadCatalog().then(setCatalog).catch(() => {}); }, []);
  const names = useMemo(() => processNames(catalog), [catalog]);
  const { data, error, loading, reload } = useResource(
    () => api.get('/instances', { status, process_key: process, limit: LIMIT, offset, mine: mine ? 'true' : undefined }),
    [status, process, offset, mine]);
  const set = (key, value) => {
    const next = new URLSearchParams(params);
    if (value) next.set(key, value); else next.delete(key);
    if (key !== 'offset') next.delete('offset');
    setParams(next);
  };
  return (
    <div>
      <div className="page-head">
        <h1>{mine ? '我发起的' : '我的案件'}</h1>
        {data && <span className="muted">共 {data.total} 件</span>}
        <div className="actions">
          <button type="button" className="secondary" onClick={reload}>刷新</button>
          <Link className="button" to="/start">发起申报</Link>
        </div>
      </div>
      <div className="filters">
        <label>状态
          <select value={status} onChange={(e) => set('status', e.target.value)} aria-label="状态">
            <option value="">全部状态</option>
            {Object.entries(STATUS_LABELS).map(([k, v]) => <option key={k} value={k}>{v}</option>)}
          </select>
        </label>
        <label>流程
          <select value={process} onChange={(e) => set('process', e.target.value)} aria-label="流程">
            <option value="">全部流程</option>
            {catalog.flatMap((j) => j.processes || []).map((p) => <option key={p.key} value={p.key}>{p.name}</option>)}
          </select>
        </label>
      </div>
      <ProblemBox error={error} />
      {loading && !data && <Loading />}
      {data && data.items.length === 0 && <Empty>暂无案件</Empty>}
      {data && data.items.length > 0 && (
        <>
          <table className="list" data-testid="case-table">
            <thead><tr><th>编号</th><th>案件</th><th>流程</th><th>版本</th><th>申报单位</th><th>状态</th><th>当前环节</th><th>发起时间</th><th>最近更新</th></tr></thead>
            <tbody>
              {data.items.map((c) => (
                <tr key={c.id} data-testid="case-row" className="clickable" onClick={() => navigate(`/cases/${c.id}`)}>
                  <td>#{c.id}</td>
                  <td><Link to={`/cases/${c.id}`} onClick={(e) => e.stopPropagation()}>{c.title || `案件 #${c.id}`}</Link></td>
                  <td>{names[c.process_key] || c.process_key}</td>
                  <td>v{c.version}</td>
                  <td>{c.applicant_unit || '—'}</td>
                  <td><StatusBadge status={c.status} /></td>
                  <td data-testid="case-current-steps">{(c.current_steps || []).join('、') || '—'}</td>
                  <td style={{ whiteSpace: 'nowrap' }}>{formatDateTime(c.started_at)}</td>
                  <td style={{ whiteSpace: 'nowrap' }}>{formatDateTime(c.updated_at)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <Pager offset={offset} limit={LIMIT} total={data.total} count={data.items.length}
            onChange={(o) => set('offset', o ? String(o) : '')} />
        </>
      )}
    </div>
  );
}
