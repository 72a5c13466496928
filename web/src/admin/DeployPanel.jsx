import React, { useEffect, useRef, useState } from 'react';
import { Link } from 'react-router-dom';
import { chineseDate } from './bundleNames.js';
import { today } from './common.jsx';
import { DiffSummary } from './DiffPage.jsx';

// 部署 of a draft: the dates, then a confirmation that shows the effective date and what changes
// against the bundle in force, before anything is deployed. `prepare()` saves and validates
// (resolves to the validation report of the saved revision, or null when that failed);
// `deploy(body)` deploys; `result` is the deployment once done.
export default function DeployPanel({ readOnly, busy, errorsCount, findingsCount, prepare, deploy, result, processNames, files, names }) {
  const [form, setForm] = useState({ effective_from: today(), effective_until: '', force: false });
  const [confirming, setConfirming] = useState(null); // the validation report shown in the dialog

  const ask = async (e) => {
    e.preventDefault();
    const report = await prepare();
    if (report) setConfirming(report);
  };
  const confirm = async () => {
    const body = { effective_from: form.effective_from };
    if (form.effective_until) body.effective_until = form.effective_until;
    if (form.force) body.force = true;
    setConfirming(null);
    await deploy(body);
  };

  return (
    <div className="card">
      <h2>部署</h2>
      {result ? <DeployResult result={result} processNames={processNames} />
        : readOnly ? <p className="muted">此草稿已部署。</p> : (
          <form className="toolbar" onSubmit={ask}>
            <label className="inline">生效日期 <input type="date" required value={form.effective_from} aria-label="生效日期"
              onChange={(e) => setForm({ ...form, effective_from: e.target.value })} /></label>
            <label className="inline">失效日期（可空） <input type="date" value={form.effective_until} aria-label="失效日期"
              onChange={(e) => setForm({ ...form, effective_until: e.target.value })} /></label>
            {(findingsCount > 0 || form.force) && (
              <label className="inline"><input type="checkbox" checked={form.force} aria-label="强制部署"
                onChange={(e) => setForm({ ...form, force: e.target.checked })} />强制部署（模拟运行有问题时仍然部署）</label>
            )}
            <button type="submit" disabled={busy !== null || !form.effective_from}>
              {busy === 'deploy' ? '正在部署…' : busy === 'prepare' ? '正在校验…' : '部署'}
            </button>
            {errorsCount > 0 && <span className="sev-error">有 {errorsCount} 个错误尚未解决</span>}
          </form>
        )}
      {confirming && (
        <ConfirmDeploy report={confirming} form={form} files={files} names={names} onConfirm={confirm} onCancel={() => setConfirming(null)} />
      )}
    </div>
  );
}

function ConfirmDeploy({ report, form, files, names, onConfirm, onCancel }) {
  const cancel = useRef(null);
  useEffect(() => {
    cancel.current?.focus();
    const onKey = (e) => { if (e.key === 'Escape') onCancel(); };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onCancel]);
  const errors = (report.simulation?.findings || []).filter((f) => f.severity === 'error').length + (report.problems || []).length;
  return (
    <div className="modal-backdrop">
      <div className="modal" role="dialog" aria-modal="true" aria-labelledby="confirm-deploy-title" data-testid="confirm-deploy">
        <h2 id="confirm-deploy-title">确认部署新版本</h2>
        <p data-testid="confirm-effective">
          生效日期：<strong>{chineseDate(form.effective_from)}</strong>
          {form.effective_until ? <>，失效日期：<strong>{chineseDate(form.effective_until)}</strong></> : null}
          。自生效日期起新发起的案件按新版本办理，在办案件仍按原版本办理。
        </p>
        {errors > 0 && (
          <p className="sev-error">
            校验发现 {errors} 个错误{form.force ? '，将强制部署。' : '，部署会被拒绝；请先修正，或勾选“强制部署”。'}
          </p>
        )}
        <h3>与现行版本的差异</h3>
        {report.diff ? <DiffSummary diff={report.diff} files={files} names={names} /> : <p className="muted">这是该辖区的第一个流程包，没有可比较的现行版本。</p>}
        <div className="toolbar modal-actions">
          <button type="button" onClick={onConfirm}>确认部署</button>
          <button type="button" className="secondary" ref={cancel} onClick={onCancel}>取消</button>
        </div>
      </div>
    </div>
  );
}

function DeployResult({ result, processNames }) {
  const name = (key) => processNames[key] || '流程';
  return (
    <div className="ok-box" data-testid="deploy-result">
      已部署（生效日期 {chineseDate(result.effective_from)}{result.effective_until ? `，失效日期 ${chineseDate(result.effective_until)}` : ''}
      {result.forced ? '，强制部署' : ''}）。
      {(result.created || []).length === 0 && <div>流程包没有变化，未创建新版本。</div>}
      <ul>
        {(result.created || []).map((c) => (
          <li key={`${c.process_key}/${c.version}`}>
            新版本：{name(c.process_key)} 第 {c.version} 版　
            <Link to={`/catalog/${encodeURIComponent(c.process_key)}?version=${c.version}`}>查看</Link>
            {c.version > 1 && <>　<Link to={`/diff/${encodeURIComponent(c.process_key)}/${c.version - 1}/${c.version}`}>查看差异（第 {c.version - 1} 版 → 第 {c.version} 版）</Link></>}
          </li>
        ))}
        {(result.unchanged || []).map((c) => <li key={`u${c.process_key}`} className="muted">{name(c.process_key)} 未变化（仍为第 {c.version} 版）</li>)}
      </ul>
    </div>
  );
}
