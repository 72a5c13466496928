import React, { useState } from 'react';
import { Link } from 'react-router-dom';
import { api } from '../api.js';
import { ProblemBox, useLoad } from './common.jsx';

// The draft's processes, each with the start-form text field its cases are titled by (shown in
// 我的待办 and the case lists), picked by its Chinese label and saved at once. `revision` is
// the draft's: a save elsewhere on the page reloads the list (the choice waits for it, or it would
// be sent on the revision before); a save here reports the new one.
export default function ProcessTitles({ draftId, revision, editing, onSaved }) {
  const list = useLoad(() => api.get(`/drafts/${draftId}/processes`), [draftId, revision]);
  const [busy, setBusy] = useState(null);
  const [saved, setSaved] = useState(null);
  const [error, setError] = useState(null);

  const choose = async (process, field) => {
    setBusy(process.key);
    setSaved(null);
    setError(null);
    try {
      const result = await api.patch(`/drafts/${draftId}/processes/${encodeURIComponent(process.key)}`,
        { title_field: field || null, revision: list.data.revision });
      list.setData(result);
      setSaved(process.key);
      onSaved?.(result.revision);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(null);
    }
  };

  if (list.error) return <ProblemBox error={list.error} />;
  const processes = list.data?.processes || [];
  if (processes.length === 0) return null;
  return (
    <div>
      <table className="compact org-table" data-testid="draft-processes">
        <thead><tr><th>流程</th><th>案件标题取自</th><th /></tr></thead>
        <tbody>
          {processes.map((p) => (
            <tr key={p.key}>
              <td>{p.name}</td>
              <td>
                {p.fields.length > 0 ? (
                  <select value={p.title_field || ''} aria-label={`「${p.name}」的案件标题取自`}
                    disabled={!editing || busy !== null || list.loading} onChange={(e) => choose(p, e.target.value)}>
                    <option value="">（未设置）</option>
                    {p.fields.map((f) => <option key={f.field} value={f.field}>{f.label}</option>)}
                  </select>
                ) : (
                  <span className="muted small">
                    {p.start_form ? '开始表单中没有文字字段' : '开始事件还没有申请表单：在流程设计中为开始事件设计表单后再选'}
                  </span>
                )}
                {saved === p.key && <span className="ok-box" role="status" style={{ marginLeft: 8 }}>
                  已保存：案件标题取自「{p.title_label || '（未设置）'}」</span>}
              </td>
              <td><Link to={`/drafts/${draftId}`}>打开流程设计</Link></td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="muted small">案件在待办和案件列表中以所选字段填写的内容为标题（如项目名称）；未设置时显示为「未命名案件」。</p>
      <ProblemBox error={error} />
    </div>
  );
}
