// What a regulation lets some offices do to a whole case: send a named notice the diagram waits
// for (manifest `messages`, e.g. 限期整改通知, with its form) and suspend / resume / terminate
// (manifest `case_control_roles`). Shown only to holders of those roles (and administrators);
// the server checks again and its Chinese refusal is shown.
import React, { useEffect, useState } from 'react';
import { api } from '../api.js';
import FormView from '../components/FormView.jsx';
import { ProblemBox } from '../components/ui.jsx';

const bundleCache = new Map();
function loadBundle(key, version) {
  const k = `${key}@${version}`;
  if (!bundleCache.has(k)) {
    const p = api.get(`/processes/${encodeURIComponent(key)}/files`, { version }).then((r) => r.files || {});
    p.catch(() => bundleCache.delete(k));
    bundleCache.set(k, p);
  }
  return bundleCache.get(k);
}

function parse(text) {
  try { return text ? JSON.parse(text) : null; } catch (e) { return null; }
}

function ReasonDialog({ title, confirm, danger, onSubmit, onCancel }) {
  const [reason, setReason] = useState('');
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e) => {
    e.preventDefault();
    if (!reason.trim()) { setError({ title: '请填写理由' }); return; }
    setBusy(true);
    setError(null);
    try { await onSubmit(reason.trim()); } catch (err) { setError(err); setBusy(false); }
  };
  return (
    <form className="dialog" onSubmit={submit} aria-label={title} data-testid="case-action-dialog">
      <h2>{title}</h2>
      <label><span>理由</span>
        <textarea rows={2} maxLength={1000} value={reason} onChange={(e) => setReason(e.target.value)} aria-label="理由" />
      </label>
      <ProblemBox error={error} />
      <div className="action-bar">
        <button type="submit" className={danger ? 'danger' : ''} disabled={busy}>{confirm}</button>
        <button type="button" className="secondary" onClick={onCancel}>取消</button>
      </div>
    </form>
  );
}

function MessageDialog({ item, name, spec, files, onDone, onCancel }) {
  const schema = parse(files[`forms/${spec.form}`]) || { type: 'object', properties: {} };
  const ui = parse(files[`forms/${(spec.form || '').replace(/\.schema\.json$/, '.uischema.json')}`]);
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const submit = async (data) => {
    setBusy(true);
    setError(null);
    try {
      const updated = await api.post(`/instances/${item.id}/messages`, { name, data });
      onDone(updated, `已发出「${spec.name || name}」`);
    } catch (e) {
      setError(e);
      setBusy(false);
    }
  };
  return (
    <div className="dialog" data-testid="message-dialog" aria-label={spec.name || name}>
      <h2>发出：{spec.name || name}</h2>
      <FormView schema={schema} uiSchema={ui} formData={EMPTY} onSubmit={submit} error={error} busy={busy}
        submitText="发出通知" testid="message-form"
        extraActions={<button type="button" className="secondary" onClick={onCancel}>取消</button>} />
    </div>
  );
}

const EMPTY = {};

export default function CaseActions({ item, me, onChanged }) {
  const [files, setFiles] = useState(null);
  const [open, setOpen] = useState(null); // 'suspend' | 'resume' | 'terminate' | message name
  const live = item.status === 'running' || item.status === 'suspended';
  const held = new Set((me?.roles || []).filter((r) => r.jurisdiction === item.jurisdiction).map((r) => r.role));
  const mayLoad = live && (me?.is_admin || held.size > 0);

  useEffect(() => {
    if (!mayLoad) return undefined;
    let on = true;
    loadBundle(item.process_key, item.version).then((f) => on && setFiles(f)).catch(() => on && setFiles({}));
    return () => { on = false; };
  }, [mayLoad, item.process_key, item.version]);

  if (!mayLoad || !files) return null;
  const manifest = parse(files['manifest.json']) || {};
  const holds = (roles) => me?.is_admin || (roles || []).some((r) => held.has(r));
  const control = holds(manifest.case_control_roles);
  const messages = Object.entries(manifest.messages || {}).filter(([, spec]) => holds(spec.roles));
  if (!control && messages.length === 0) return null;

  const done = (updated, message) => { setOpen(null); onChanged(updated, message); };
  const action = (verb, message) => async (reason) => {
    await api.post(`/instances/${item.id}/${verb}`, { reason });
    done(null, message);
  };

  return (
    <section className="card" data-testid="case-actions" aria-label="案件操作">
      <h2>案件操作</h2>
      <div className="action-bar">
        {item.status === 'running' && messages.map(([name, spec]) => (
          <button key={name} type="button" className="secondary" onClick={() => setOpen(name)}>发出{spec.name || name}</button>
        ))}
        {control && item.status === 'running' && <button type="button" className="secondary" onClick={() => setOpen('suspend')}>暂停案件</button>}
        {control && item.status === 'suspended' && <button type="button" className="secondary" onClick={() => setOpen('resume')}>恢复案件</button>}
        {control && <button type="button" className="secondary danger-text" onClick={() => setOpen('terminate')}>终止案件</button>}
      </div>
      {open === 'suspend' && <ReasonDialog title="暂停案件" confirm="确认暂停" onCancel={() => setOpen(null)}
        onSubmit={action('suspend', '案件已暂停：暂停期间不能办理，定时器不触发')} />}
      {open === 'resume' && <ReasonDialog title="恢复案件" confirm="确认恢复" onCancel={() => setOpen(null)}
        onSubmit={action('resume', '案件已恢复办理')} />}
      {open === 'terminate' && <ReasonDialog title="终止案件" confirm="确认终止" danger onCancel={() => setOpen(null)}
        onSubmit={action('terminate', '案件已终止')} />}
      {messages.filter(([name]) => name === open).map(([name, spec]) => (
        <MessageDialog key={name} item={item} name={name} spec={spec} files={files}
          onDone={done} onCancel={() => setOpen(null)} />
      ))}
    </section>
  );
}
