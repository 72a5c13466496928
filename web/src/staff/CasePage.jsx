import React, { useState } from 'react';
import { Link, useParams } from 'react-router-dom';
import { api } from '../api.js';
import { useAuth } from '../auth.jsx';
import { Deadline, Loading, ProblemBox, useResource } from '../components/ui.jsx';
import { STATUS_LABELS, formatDateTime } from '../format.js';
import CaseActions from './CaseActions.jsx';
import CaseRecord from './CaseRecord.jsx';
import CaseDiagram from './CaseDiagram.jsx';
import { ClaimStatus } from './TaskListPage.jsx';

export const ACTION_LABELS = {
  start: '发起案件', complete: '办结', claim: '认领', unclaim: '取消认领', reassign: '转办', assign: '转办',
  withdraw: '撤回', timer_fired: '定时触发', suspend: '暂停', resume: '恢复', terminate: '终止',
  message: '收到通知', migrate: '迁移版本', migrate_revert: '撤销迁移', copy_to: '抄送', expert_draw: '抽取专家',
  attachment_uploaded: '上传附件', attachment_tampered: '附件校验失败', error: '出错', reschedule: '调整期限',
};

const STATUS_BADGE = { running: 'blue', completed: 'green', error: 'red', suspended: 'amber', terminated: '' };

export function StatusBadge({ status }) {
  return <span className={`badge ${STATUS_BADGE[status] || ''}`} data-testid="case-status">{STATUS_LABELS[status] || status}</span>;
}

function Audit({ caseId, refreshKey }) {
  const { data, error, loading } = useResource(() => api.get(`/instances/${caseId}/audit`), [caseId, refreshKey]);
  return (
    <section className="card" data-testid="case-audit" aria-label="审计记录">
      <h2>审计记录</h2>
      <ProblemBox error={error} />
      {loading && !data && <Loading />}
      {data && data.length === 0 && <p className="muted">暂无记录</p>}
      {data && data.length > 0 && (
        <table className="list small-table">
          <thead><tr><th>时间</th><th>操作人</th><th>操作</th><th>校验值</th></tr></thead>
          <tbody>
            {data.map((a) => (
              <tr key={a.id} data-testid="audit-row">
                <td style={{ whiteSpace: 'nowrap' }}>{formatDateTime(a.at)}</td>
                <td>{a.actor_name}</td>
                <td>{a.text}</td>
                <td><code title={a.hash}>{a.hash?.slice(0, 8)}</code></td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

export default function CasePage() {
  const { caseId } = useParams();
  const { me } = useAuth();
  const { data: item, error, loading, setData, reload } = useResource(() => api.get(`/instances/${caseId}`), [caseId]);
  const [refreshKey, setRefreshKey] = useState(0);
  const [actionError, setActionError] = useState(null);
  const [notice, setNotice] = useState(null);
  const [busy, setBusy] = useState(false);
  const [tab, setTab] = useState('record');
  const { data: record, error: recordError } = useResource(() => api.get(`/instances/${caseId}/record`), [caseId, refreshKey]);

  if (loading && !item) return <Loading />;
  if (error) return <div><ProblemBox error={error} /><p><Link to="/cases">返回我的案件</Link></p></div>;
  if (!item) return null;

  const withdraw = async (step) => {
    if (!window.confirm(`确定撤回「${step.name}」？撤回后该环节将重新回到您的待办。`)) return;
    setBusy(true);
    setActionError(null);
    setNotice(null);
    try {
      const updated = await api.post(`/tasks/${step.task_id}/withdraw`);
      setData(updated);
      setRefreshKey((n) => n + 1);
      setNotice(`已撤回「${step.name}」，请重新办理`);
    } catch (e) {
      setActionError({ error: e, at: "history" });
    } finally {
      setBusy(false);
    }
  };

  const urge = async (task) => {
    setBusy(true);
    setActionError(null);
    setNotice(null);
    try {
      await api.post(`/tasks/${task.id}/urge`);
      setNotice(`已催办「${task.name}」：${task.lane}将在通知中看到提醒`);
    } catch (e) {
      setActionError({ error: e, at: "tasks" });
    } finally {
      setBusy(false);
    }
  };

  const steps = item.completed_steps || [];
  const running = item.status === 'running';
  // 撤回 is offered only where the server says it is allowed now (withdrawable_task_id).
  return (
    <div>
      <div className="breadcrumb"><Link to="/cases">我的案件</Link> / 案件 #{item.id}</div>
      <div className="page-head">
        <h1>{item.title || `案件 #${item.id}`}</h1>
        <StatusBadge status={item.status} />
        <div className="actions"><Link className="button secondary-link" to={`/cases/${item.id}/print`}>打印审批单</Link></div>
      </div>
      <div className="card" data-testid="case-summary">
        <dl className="meta-grid">
          <div><dt>案件编号</dt><dd>#{item.id}</dd></div>
          <div><dt>状态</dt><dd>{STATUS_LABELS[item.status] || item.status}{item.outcome ? `（${item.outcome}）` : ''}</dd></div>
          <div><dt>版本</dt><dd data-testid="case-version">v{item.version}</dd></div>
          <div><dt>申报单位</dt><dd>{item.applicant_unit || '—'}</dd></div>
          <div><dt>发起人</dt><dd>{item.started_by_name}</dd></div>
          <div><dt>发起时间</dt><dd>{formatDateTime(item.started_at)}</dd></div>
          <div><dt>最近更新</dt><dd>{formatDateTime(item.updated_at)}</dd></div>
          {item.next_due_at && <div><dt>最近期限</dt><dd>{formatDateTime(item.next_due_at)}</dd></div>}
          {item.completed_at && <div><dt>办结时间</dt><dd>{formatDateTime(item.completed_at)}</dd></div>}
        </dl>
        {item.error && <div className="error-box" style={{ marginTop: 10 }}>案件出错：{item.error}</div>}
        {notice && <div className="ok-box" role="status" style={{ marginTop: 10 }}>{notice}</div>}
        <ProblemBox error={actionError?.at === "summary" ? actionError.error : null} />
      </div>

      <CaseActions item={item} me={me} onChanged={(updated, message) => {
        if (updated) setData(updated); else reload();
        setRefreshKey((n) => n + 1);
        setNotice(message);
        setActionError(null);
      }} />

      <section className="card" data-testid="case-open-tasks" aria-label="当前待办">
        <h2>当前待办</h2>
        <ProblemBox error={actionError?.at === "tasks" ? actionError.error : null} />
        {(item.open_tasks || []).length === 0 ? <p className="muted">{running ? '当前没有待办环节（可能在等待定时或通知）' : '案件已结束，没有待办环节'}</p> : (
          <table className="list">
            <thead><tr><th>任务</th><th>办理部门</th><th>期限</th><th>状态</th><th>操作</th></tr></thead>
            <tbody>
              {item.open_tasks.map((t) => (
                <tr key={t.id} data-testid="open-task-row" className={t.overdue ? 'overdue' : ''}>
                  <td><Link to={`/tasks/${t.id}`}>{t.name}</Link>{t.can_act && <span className="badge green" style={{ marginLeft: 6 }}>可办理</span>}</td>
                  <td>{t.lane}{t.unit ? `（${t.unit}）` : ''}</td>
                  <td><Deadline due={t.due_at} overdue={t.overdue} /></td>
                  <td><ClaimStatus task={t} me={me} /></td>
                  <td>{t.overdue && !t.can_act && (
                    <button type="button" className="secondary small" disabled={busy} onClick={() => urge(t)}>催办</button>
                  )}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>

      <CaseDiagram item={item} refreshKey={refreshKey} />

      <div className="tabs page-tabs" role="tablist" aria-label="案件信息">
        {[['record', '审批单'], ['history', `办理记录（${steps.length}）`], ['audit', '审计记录']].map(([k, label]) => (
          <button key={k} type="button" role="tab" aria-selected={tab === k} className={tab === k ? 'active' : ''}
            onClick={() => setTab(k)}>{label}</button>
        ))}
      </div>

      {tab === 'record' && (record ? <CaseRecord record={record} /> : <ProblemBox error={recordError} />)}

      {tab === 'history' && <section className="card" data-testid="case-history" aria-label="办理记录">
        <h2>办理记录</h2>
        <ProblemBox error={actionError?.at === "history" ? actionError.error : null} />
        {steps.length === 0 ? <p className="muted">暂无已办环节</p> : (
          <table className="list">
            <thead><tr><th>#</th><th>环节</th><th>办理人</th><th>时间</th><th>方式</th><th>操作</th></tr></thead>
            <tbody>
              {steps.map((s, i) => (
                <tr key={`${s.task_id || s.bpmn_id}-${i}`} data-testid="history-row">
                  <td>{i + 1}</td>
                  <td>{s.name || s.bpmn_id}</td>
                  <td>{s.by === me?.username ? `${s.by_name}（我）` : s.by_name}</td>
                  <td style={{ whiteSpace: 'nowrap' }}>{formatDateTime(s.at)}</td>
                  <td>{ACTION_LABELS[s.action] || s.action}</td>
                  <td>
                    {s.task_id && s.task_id === item.withdrawable_task_id && s.action === 'complete' && (
                      <button type="button" className="secondary small" disabled={busy} onClick={() => withdraw(s)}>撤回</button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>}

      {tab === 'audit' && <Audit caseId={item.id} refreshKey={refreshKey} />}
    </div>
  );
}
