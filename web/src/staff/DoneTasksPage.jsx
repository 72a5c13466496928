// 我的已办: the steps I completed, newest first, with their cases and where each case stands.
import React from 'react';
import { Link, useSearchParams } from 'react-router-dom';
import { api } from '../api.js';
import { Empty, Loading, Pager, ProblemBox, useResource } from '../components/ui.jsx';
import { formatDateTime } from '../format.js';
import { StatusBadge } from './CasePage.jsx';

const LIMIT = 20;

export default function DoneTasksPage() {
  const [params, setParams] = useSearchParams();
  const offset = Number(params.get('offset') || 0) || 0;
  const { data, error, loading } = useResource(() => api.get('/tasks/done', { limit: LIMIT, offset }), [offset]);
  return (
    <div>
      <div className="page-head">
        <h1>我的已办</h1>
        {data && <span className="muted">共 {data.total} 件</span>}
      </div>
      <ProblemBox error={error} />
      {loading && !data && <Loading />}
      {data && data.items.length === 0 && <Empty>还没有办结过任务</Empty>}
      {data && data.items.length > 0 && (
        <>
          <table className="list" data-testid="done-table">
            <thead><tr><th>环节</th><th>办理部门</th><th>案件</th><th>案件状态</th><th>办结时间</th></tr></thead>
            <tbody>
              {data.items.map((d) => (
                <tr key={`${d.task_id}-${d.at}`} data-testid="done-row">
                  <td>{d.name}</td>
                  <td>{d.lane || '—'}</td>
                  <td><Link to={`/cases/${d.instance_id}`}>{d.case_title || `案件 #${d.instance_id}`}</Link></td>
                  <td><StatusBadge status={d.status} /></td>
                  <td style={{ whiteSpace: 'nowrap' }}>{formatDateTime(d.at)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <Pager offset={offset} limit={LIMIT} total={data.total} count={data.items.length}
            onChange={(o) => setParams(o ? { offset: String(o) } : {})} />
        </>
      )}
    </div>
  );
}
