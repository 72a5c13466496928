import React, { useEffect, useMemo, useState } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router-dom';
import { api } from '../api.js';
import { useAuth } from '../auth.jsx';
import { Deadline, Empty, Loading, Pager, ProblemBox, useResource } from '../components/ui.jsx';
import { formatDateTime } from '../format.js';
import { loadCatalog, processNames } from './catalog.js';

const LIMIT = 20;

export function ClaimStatus({ task, me }) {
  if (task.claimed_by) {
    const who = task.claimed_by === me?.username ? '我' : task.claimed_by_name;
    return <span className="badge blue">已认领（{who}）</span>;
  }
  if (task.assignee) return <span className="badge amber">指定：{task.assignee === me?.username ? '我' : task.assignee_name}</span>;
  return <span className="badge">待认领</span>;
}

export default function TaskListPage() {
  const { me } = useAuth();
  const navigate = useNavigate();
  const [params, setParams] = useSearchParams();
  const jurisdiction = params.get('jurisdiction') || '';
  const process = params.get('process') || '';
  const overdue = params.get('overdue') || '';
  const claimed = params.get('claimed') || 'any';
  const offset = Number(params.get('offset') || 0) || 0;
  const [catalog, setCatalog] = useState([]);
  const [catalogError, setCatalogError] = useState(null);
  useEffect(() => { loadCatalog().then(setCatalog).catch(setCatalogError); }, []);
  const names = useMemo(() => processNames(catalog), [catalog]);
  const processes = useMemo(() => catalog
    .filter((j) => !jurisdiction || j.id === jurisdiction)
    .flatMap((j) => (j.processes || []).map((p) => ({ ...p, jurisdiction: j.id }))), [catalog, jurisdiction]);

  const { data, error, loading, reload } = useResource(() => api.get('/tasks', {
    jurisdiction, process_key: process, overdue, claimed, limit: LIMIT, offset,
  }), [jurisdiction, process, overdue, claimed, offset]);

  const set = (key, value) => {
    const next = new URLSearchParams(params);
    if (value) next.set(key, value); else next.delete(key);
    if (key === 'jurisdiction') next.delete('process');
    if (key !== 'offset') next.delete('offset');
    setParams(next);
  };

  return (
    <div>
      <div className="page-head">
        <h1>我的待办</h1>
        {data && <span className="muted">共 {data.total}{data.total_capped ? '+' : ''} 件</span>}
        <div className="actions"><button type="button" className="secondary" onClick={reload}>刷新</button></div>
      </div>
      <div className="filters" data-testid="task-filters">
        <label>辖区
          <select value={jurisdiction} onChange={(e) => set('jurisdiction', e.target.value)} aria-label="辖区">
            <option value="">全部辖区</option>
            {catalog.map((j) => <option key={j.id} value={j.id}>{j.name}</option>)}
          </select>
        </label>
        <label>流程
          <select value={process} onChange={(e) => set('process', e.target.value)} aria-label="流程">
            <option value="">全部流程</option>
            {processes.map((p) => <option key={p.key} value={p.key}>{p.name}</option>)}
          </select>
        </label>
        <label>逾期
          <select value={overdue} onChange={(e) => set('overdue', e.target.value)} aria-label="逾期">
            <option value="">全部</option>
            <option value="true">仅逾期</option>
            <option value="false">未逾期</option>
          </select>
        </label>
        <label>认领状态
          <select value={claimed} onChange={(e) => set('claimed', e.target.value === 'any' ? '' : e.target.value)} aria-label="认领状态">
            <option value="any">全部</option>
            <option value="me">我认领的</option>
            <option value="unclaimed">待认领</option>
          </select>
        </label>
      </div>
      <ProblemBox error={catalogError} />
      <ProblemBox error={error} />
      {loading && !data && <Loading />}
      {data && data.items.length === 0 && <Empty>暂无待办任务</Empty>}
      {data && data.items.length > 0 && (
        <>
          <table className="list" data-testid="task-table">
            <thead>
              <tr><th>任务</th><th>案件</th><th>流程</th><th>办理部门</th><th>期限</th><th>状态</th></tr>
            </thead>
            <tbody>
              {data.items.map((t) => (
                <tr key={t.id} data-testid="task-row" data-overdue={t.overdue ? "true" : "false"} className={`clickable${t.overdue ? ' overdue' : ''}`}
                  onClick={() => navigate(`/tasks/${t.id}`)}>
                  <td>
                    <Link to={`/tasks/${t.id}`} onClick={(e) => e.stopPropagation()}>{t.name}</Link>
                    <div className="muted small">到达 {formatDateTime(t.ready_at)}</div>
                  </td>
                  <td>
                    <Link to={`/cases/${t.instance_id}`} onClick={(e) => e.stopPropagation()}>{t.case_title || '（未命名案件）'}</Link>
                    <span className="muted small"> #{t.instance_id}</span>
                  </td>
                  <td>{names[t.process_key] || t.process_key}</td>
                  <td>{t.lane}{t.unit && <div className="muted small">{t.unit}</div>}</td>
                  <td><Deadline due={t.due_at} overdue={t.overdue} /></td>
                  <td><ClaimStatus task={t} me={me} /></td>
                </tr>
              ))}
            </tbody>
          </table>
          <Pager offset={offset} limit={LIMIT} total={data.total} capped={data.total_capped}
            count={data.items.length} onChange={(o) => set('offset', o ? String(o) : '')} />
        </>
      )}
    </div>
  );
}
