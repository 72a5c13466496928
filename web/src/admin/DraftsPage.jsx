import React, { useState } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router-dom';
import { api } from '../api.js';
import { formatDateTime } from '../format.js';
import { Loading, ProblemBox, useLoad } from './common.jsx';
import './admin.css';

export const DRAFT_STATUS = { editing: '编辑中', deployed: '已部署', discarded: '已放弃' };

// 流程修订: bundle drafts, and a new one from a jurisdiction's current bundle.
export default function DraftsPage() {
  const navigate = useNavigate();
  const [search] = useSearchParams();
  const drafts = useLoad(() => api.get('/drafts'), []);
  const juris = useLoad(() => api.get('/jurisdictions'), []);
  const users = useLoad(() => api.get('/users'), []); // who made a draft, as 姓名（单位）
  const [form, setForm] = useState({ jurisdiction: search.get('jurisdiction') || '', title: '' });
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const names = Object.fromEntries((juris.data || []).map((j) => [j.id, j.name]));
  const people = Object.fromEntries((users.data || []).map((u) => [u.username, u.label || u.name]));

  const create = async (e) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const draft = await api.post('/drafts', { jurisdiction: form.jurisdiction, title: form.title });
      navigate(`/drafts/${draft.id}`);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  const discard = async (d) => {
    if (!window.confirm(`放弃草稿“${d.title}”？草稿中的修改将全部丢失。`)) return;
    try {
      await api.del(`/drafts/${d.id}`);
      drafts.reload();
    } catch (err) {
      setError(err);
    }
  };

  return (
    <div>
      <h1>流程修订</h1>
      <div className="card">
        <h2>新建修订草稿</h2>
        <p className="muted">草稿从所选辖区现行的流程包复制全部文件（流程图、决策表、表单、清单），在草稿中修改、校验后部署为新版本。</p>
        <form className="toolbar" onSubmit={create}>
          <select value={form.jurisdiction} onChange={(e) => setForm({ ...form, jurisdiction: e.target.value })} required aria-label="辖区">
            <option value="">选择辖区…</option>
            {(juris.data || []).map((j) => <option key={j.id} value={j.id}>{j.name}（{j.regulation_title}）</option>)}
          </select>
          <input value={form.title} onChange={(e) => setForm({ ...form, title: e.target.value })} required placeholder="修订说明，如：调整小额项目限额"
            aria-label="标题" style={{ minWidth: 320 }} />
          <button type="submit" disabled={busy || !form.jurisdiction || !form.title.trim()}>新建草稿</button>
        </form>
        <ProblemBox error={error} />
      </div>
      <div className="card">
        <h2>草稿</h2>
        {drafts.loading && <Loading />}
        <ProblemBox error={drafts.error} />
        {drafts.data && !drafts.data.length && <p className="muted">还没有草稿。</p>}
        {drafts.data && drafts.data.length > 0 && (
          <table className="compact" data-testid="drafts">
            <thead><tr><th>编号</th><th>标题</th><th>辖区</th><th>状态</th><th>修订号</th><th>创建人</th><th>更新时间</th><th /></tr></thead>
            <tbody>
              {drafts.data.map((d) => (
                <tr key={d.id}>
                  <td>{d.id}</td>
                  <td><Link to={`/drafts/${d.id}`}>{d.title}</Link></td>
                  <td>{names[d.jurisdiction] || '新建辖区'}</td>
                  <td><span className={`badge ${d.status === 'deployed' ? 'green' : 'blue'}`}>{DRAFT_STATUS[d.status] || '草稿'}</span></td>
                  <td>{d.revision}</td>
                  <td>{people[d.created_by] || '—'}</td>
                  <td>{formatDateTime(d.updated_at)}</td>
                  <td className="links">
                    <Link to={`/drafts/${d.id}`}>{d.status === 'deployed' ? '查看' : '编辑'}</Link>
                    {d.status !== 'deployed' && <button type="button" className="link" onClick={() => discard(d)}>放弃</button>}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>
    </div>
  );
}
