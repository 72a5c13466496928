import React, { useEffect, useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router-dom';
import { api } from '../api.js';
import { useAuth } from '../auth.jsx';
import FormView from '../components/FormView.jsx';
import { Deadline, Loading, ProblemBox, useResource } from '../components/ui.jsx';
import { formatDateTime } from '../format.js';
import ArticlesPanel from './ArticlesPanel.jsx';
import CaseRecord, { LatestOpinion } from './CaseRecord.jsx';
import { ClaimStatus } from './TaskListPage.jsx';

function AssignDialog({ task, onDone, onCancel }) {
  const [candidates, setCandidates] = useState(null);
  const [error, setError] = useState(null);
  const [username, setUsername] = useState('');
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    api.get(`/tasks/${task.id}/candidates`).then(setCandidates).catch(setError);
  }, [task.id]);
  const submit = async (e) => {
    e.preventDefault();
    if (!username) { setError({ title: '请选择接办人' }); return; }
    setBusy(true);
    setError(null);
    try {
      const updated = await api.post(`/tasks/${task.id}/assign`, { username, reason });
      const who = candidates.find((c) => c.username === username);
      onDone(updated, who ? who.display_name : username);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form className="dialog" onSubmit={submit} data-testid="assign-dialog" aria-label="转办">
      <h2>转办</h2>
      {!candidates && !error && <Loading text="正在读取可接办人员…" />}
      {candidates && candidates.length === 0 && <p className="muted">没有可以接办此任务的其他人员</p>}
      {candidates && candidates.length > 0 && (
        <>
          <label><span>接办人</span>
            <select value={username} onChange={(e) => setUsername(e.target.value)} aria-label="接办人">
              <option value="">请选择</option>
              {candidates.map((c) => (
                <option key={c.username} value={c.username}>{c.display_name}{c.unit ? `（${c.unit}）` : ''}</option>
              ))}
            </select>
          </label>
          <label><span>转办理由</span>
            <textarea value={reason} maxLength={500} rows={2} onChange={(e) => setReason(e.target.value)} aria-label="转办理由" />
          </label>
        </>
      )}
      <ProblemBox error={error} />
      <div className="action-bar">
        <button type="submit" disabled={busy || !candidates?.length}>确认转办</button>
        <button type="button" className="secondary" onClick={onCancel}>取消</button>
      </div>
    </form>
  );
}

function Result({ result, task }) {
  const next = result.open_tasks || [];
  return (
    <div className="result-box" data-testid="task-result" role="status">
      <h2>已提交</h2>
      <p data-testid="result-summary">
        {next.length > 0
          ? `已提交，下一步：${next.map((t) => `${t.name}（${t.lane}）`).join('、')}`
          : `已提交，「${task.name}」已办结。`}
      </p>
      {result.status === 'completed' && <p>案件已办结{result.outcome ? `：${result.outcome}` : ''}。</p>}
      {next.length > 0 && (
        <div>
          <p>当前待办：</p>
          <ul data-testid="next-tasks">
            {next.map((t) => (
              <li key={t.id}>
                {t.can_act ? <Link to={`/tasks/${t.id}`}>{t.name}</Link> : t.name}（{t.lane}{t.unit ? ` · ${t.unit}` : ''}）
                {t.due_at && <span className="muted small"> 期限 {formatDateTime(t.due_at)}</span>}
              </li>
            ))}
          </ul>
        </div>
      )}
      {next.length === 0 && result.status !== 'completed' && <p className="muted">当前没有待办环节（可能在等待定时或通知）。</p>}
      <div className="action-bar">
        <Link className="button" to={`/cases/${result.id}`}>查看案件</Link>
        <Link className="button secondary-link" to="/">返回我的待办</Link>
      </div>
    </div>
  );
}

export default function TaskPage() {
  const { taskId } = useParams();
  const { me } = useAuth();
  const navigate = useNavigate();
  const { data: task, error, loading, setData } = useResource(() => api.get(`/tasks/${taskId}`), [taskId]);
  const [record, setRecord] = useState(null);
  const [recordError, setRecordError] = useState(null);
  const caseId = task?.instance_id;
  useEffect(() => {
    if (!caseId) return;
    setRecord(null);
    setRecordError(null);
    api.get(`/instances/${caseId}/record`).then(setRecord).catch(setRecordError);
  }, [caseId]);
  const [submitError, setSubmitError] = useState(null);
  const [actionError, setActionError] = useState(null);
  const [notice, setNotice] = useState(null);
  const [busy, setBusy] = useState(false);
  const [assigning, setAssigning] = useState(false);
  const [result, setResult] = useState(null);

  useEffect(() => {
    setSubmitError(null); setActionError(null); setNotice(null); setResult(null); setAssigning(false);
  }, [taskId]);

  if (loading && !task) return <Loading />;
  if (error) {
    return (
      <div>
        <ProblemBox error={error} />
        <p><Link to="/">返回我的待办</Link></p>
      </div>
    );
  }
  if (!task) return null;

  const mine = task.claimed_by === me?.username;
  const claimedByOther = task.claimed_by && !mine;
  const canAct = task.can_act !== false && !claimedByOther;

  const act = async (fn, message) => {
    setBusy(true);
    setActionError(null);
    setNotice(null);
    try {
      const updated = await fn();
      setData((t) => ({ ...t, ...updated }));
      setNotice(message);
    } catch (e) {
      setActionError(e);
    } finally {
      setBusy(false);
    }
  };

  const submit = async (data) => {
    setBusy(true);
    setSubmitError(null);
    setActionError(null);
    try {
      // The page shows only status, outcome and the open tasks: the lighter response suffices.
      const res = await api.post(`/tasks/${task.id}/complete`, { data }, { view: "summary" });
      setResult(res);
      setNotice(null);
      window.scrollTo?.(0, 0);
    } catch (e) {
      setSubmitError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div>
      <div className="breadcrumb"><Link to="/">我的待办</Link> / {task.name}</div>
      <div className="page-head">
        <h1>{task.name}</h1>
        <ClaimStatus task={task} me={me} />
      </div>
      <div className="card" data-testid="task-summary">
        <dl className="meta-grid">
          <div><dt>案件</dt><dd><Link to={`/cases/${task.instance_id}`} data-testid="case-link">{task.case_title || `案件 #${task.instance_id}`}</Link></dd></div>
          <div><dt>办理部门</dt><dd>{task.lane}{task.unit ? `（${task.unit}）` : ''}</dd></div>
          <div><dt>办理角色</dt><dd>{task.role_name || task.role}</dd></div>
          <div><dt>期限</dt><dd data-testid="task-deadline"><Deadline due={task.due_at} overdue={task.overdue} /></dd></div>
          <div><dt>到达时间</dt><dd>{formatDateTime(task.ready_at)}</dd></div>
          {task.assignee && <div><dt>指定办理人</dt><dd>{task.assignee_name}</dd></div>}
        </dl>
        {!result && (
          <div className="action-bar" style={{ marginTop: 12 }} data-testid="task-actions">
            {!task.claimed_by && task.can_act !== false && (
              <button type="button" disabled={busy}
                onClick={() => act(() => api.post(`/tasks/${task.id}/claim`), '已认领，其他人员将不能办理此任务')}>认领</button>
            )}
            {(mine || (task.claimed_by && me?.is_admin)) && (
              <button type="button" className="secondary" disabled={busy}
                onClick={() => act(() => api.post(`/tasks/${task.id}/unclaim`), '已取消认领')}>取消认领</button>
            )}
            {(mine || (!task.claimed_by && task.can_act !== false)) && (
              <button type="button" className="secondary" disabled={busy} onClick={() => setAssigning((v) => !v)}>转办</button>
            )}
            <Link to={`/cases/${task.instance_id}`} className="button secondary-link">查看案件与流程图</Link>
          </div>
        )}
        {assigning && !result && (
          <AssignDialog task={task} onCancel={() => setAssigning(false)}
            onDone={(updated, who) => {
              setAssigning(false);
              setData((t) => ({ ...t, ...updated }));
              setNotice(`已转办给 ${who}`);
              if (updated.can_act === false) setTimeout(() => navigate('/'), 1200);
            }} />
        )}
        {notice && <div className="ok-box" role="status" style={{ marginTop: 10 }}>{notice}</div>}
        <ProblemBox error={actionError} />
      </div>

      {!result && record && <LatestOpinion record={record} />}
      {!result && record && <CaseRecord record={record} compact />}
      <ProblemBox error={recordError} />

      {result ? <Result result={result} task={task} /> : (
        <div className="task-layout">
          <div className="card" aria-label="办理意见">
            <h2>办理意见</h2>
            {claimedByOther && <div className="error-box" style={{ marginBottom: 12 }}>此任务已由 {task.claimed_by_name} 认领，您只能查看。</div>}
            {task.can_act === false && !claimedByOther && <div className="error-box" style={{ marginBottom: 12 }}>您不是此任务的办理人，只能查看。</div>}
            {task.schema && Object.keys(task.schema.properties || {}).length === 0 && <p className="muted">本环节无需填写表单，确认后提交即可。</p>}
            <FormView
              schema={task.schema}
              uiSchema={task.ui_schema}
              formData={task.prefill}
              onSubmit={submit}
              error={submitError}
              taskId={task.id}
              busy={busy}
              readOnly={!canAct}
              submitText="提交"
            />
          </div>
          <ArticlesPanel item={task} />
        </div>
      )}
    </div>
  );
}
