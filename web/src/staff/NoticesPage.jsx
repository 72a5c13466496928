import React, { useState } from 'react';
import { Link, useSearchParams } from 'react-router-dom';
import { api } from '../api.js';
import { formatDateTime } from '../format.js';
import { Empty, Loading, ProblemBox, useResource } from '../components/ui.jsx';

export default function NoticesPage() {
  const [params, setParams] = useSearchParams();
  const unread = params.get('unread') === 'true';
  const { data, error, loading, reload, setData } = useResource(
    () => api.get('/notices', { unread: unread ? 'true' : undefined }), [unread]);
  const [actionError, setActionError] = useState(null);

  const markRead = async (notice) => {
    setActionError(null);
    try {
      await api.post(`/notices/${notice.id}/read`);
      window.dispatchEvent(new Event('govit:notices-changed'));
      setData((list) => (unread ? list.filter((n) => n.id !== notice.id) : list.map((n) => (n.id === notice.id ? { ...n, read: true } : n))));
    } catch (e) {
      setActionError(e);
    }
  };

  return (
    <div>
      <div className="page-head">
        <h1>抄送与催办</h1>
        {data && <span className="muted">{data.filter((n) => !n.read).length} 条未读</span>}
        <div className="actions"><button type="button" className="secondary" onClick={reload}>刷新</button></div>
      </div>
      <div className="filters">
        <label className="inline-check" style={{ flexDirection: 'row', alignItems: 'center', color: 'inherit', fontSize: 14 }}>
          <input type="checkbox" checked={unread}
            onChange={(e) => setParams(e.target.checked ? { unread: 'true' } : {})} /> 只看未读
        </label>
      </div>
      <ProblemBox error={error} />
      <ProblemBox error={actionError} />
      {loading && !data && <Loading />}
      {data && data.length === 0 && <Empty>{unread ? '没有未读通知' : '暂无抄送或催办通知'}</Empty>}
      {data && data.length > 0 && (
        <table className="list" data-testid="notice-table">
          <thead><tr><th>时间</th><th>案件</th><th>通知内容</th><th>状态</th><th>操作</th></tr></thead>
          <tbody>
            {data.map((n) => (
              <tr key={n.id} data-testid="notice-row" className={n.read ? '' : 'unread'}>
                <td style={{ whiteSpace: 'nowrap' }}>{formatDateTime(n.created_at)}</td>
                <td><Link to={`/cases/${n.instance_id}`}>{n.case_title || `案件 #${n.instance_id}`}</Link></td>
                <td>{n.message}</td>
                <td>{n.read ? <span className="badge">已读</span> : <span className="badge blue">未读</span>}</td>
                <td>{!n.read && <button type="button" className="secondary small" onClick={() => markRead(n)}>标记已读</button>}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
