import React, { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { Link, useParams } from 'react-router-dom';
import { api } from '../api.js';
import { formatDateTime } from '../format.js';
import BpmnCanvas from './BpmnCanvas.jsx';
import DmnCanvas from './DmnCanvas.jsx';
import PropertiesPanel from './PropertiesPanel.jsx';
import TextEditor from './TextEditor.jsx';
import { DRAFT_STATUS } from './DraftsPage.jsx';
import { classifyFiles, Loading, ProblemBox, Tabs, today, useLoad } from './common.jsx';
import { DiffSummary } from './DiffPage.jsx';
import './admin.css';
import { fileTitle } from './bpmnInfo.js';

// The in-product modeler for a bundle draft (/drafts/:draftId).
//
// Test hook for the browser tests: while a BPMN tab is open,
//   window.__govitModeler = {file, modeler, saveXML: () => Promise<string>, select: (id) => boolean}
// (the bpmn-js Modeler of that tab, its current XML, and selecting an element by id so that the
// properties panel shows it — the palette can cover shapes at the left edge); while a DMN tab is open,
//   window.__govitDmnModeler = {file, modeler, saveXML: () => Promise<string>} (dmn-js).
// Both are removed when the tab closes.

const SEVERITY = { error: '错误', warning: '警告', info: '提示' };

// A 409 on save is a stale revision unless the draft was deployed meanwhile.
function readOnlyProblem(e) {
  return /deployed|已部署|只读/.test(`${e.problem?.detail || ''}${e.problem?.title || ''}${e.problem?.type || ''}`);
}

function filePath(path) {
  return path.split('/').map(encodeURIComponent).join('/');
}

// Index of the ids each BPMN file declares, to place a simulation finding (process + element).
function idIndex(texts, bpmnFiles) {
  const index = {};
  for (const path of bpmnFiles) {
    const ids = new Set();
    for (const m of (texts[path] || '').matchAll(/\sid="([^"]+)"/g)) ids.add(m[1]);
    index[path] = ids;
  }
  return index;
}

function locate(index, element, process) {
  const files = Object.keys(index);
  if (element) {
    const withBoth = files.find((f) => index[f].has(element) && (!process || index[f].has(process)));
    if (withBoth) return withBoth;
    const any = files.find((f) => index[f].has(element));
    if (any) return any;
  }
  if (process) return files.find((f) => index[f].has(process)) || null;
  return null;
}

// Problems (XSD, lint) and simulation findings as one list, each with the file it names.
function findingsOf(validation, deployProblems, texts, bpmnFiles) {
  const index = idIndex(texts, bpmnFiles);
  const out = [];
  const problems = [...(validation?.problems || []), ...(deployProblems || [])];
  problems.forEach((p, i) => out.push({
    key: `p${i}`, source: '校验', severity: p.severity || 'error', file: p.file || locate(index, p.element, null),
    element: p.element || null, line: p.line || null, message: p.message, name: p.name || null,
  }));
  (validation?.simulation?.findings || []).forEach((f, i) => out.push({
    key: `s${i}`, source: '模拟运行', severity: f.severity || 'warning', file: locate(index, f.element, f.process),
    element: f.element || f.process || null, process: f.process, message: f.message, name: f.name, path: f.path, kind: f.kind,
  }));
  const rank = { error: 0, warning: 1, info: 2 };
  return out.map((f, i) => [f, i]).sort(([a, i], [b, j]) => (rank[a.severity] ?? 3) - (rank[b.severity] ?? 3) || i - j).map(([f]) => f);
}

const SHOWN_FINDINGS = 40;

export default function ModelerPage() {
  const { draftId } = useParams();
  const [draft, setDraft] = useState(null);
  const [loadError, setLoadError] = useState(null);
  const saved = useRef({});
  const texts = useRef({});
  const jsonErrors = useRef({});
  const [dirty, setDirty] = useState({});
  const [active, setActive] = useState(null);
  const [bpmn, setBpmn] = useState(null);
  const dmnRef = useRef(null);
  const [selected, setSelected] = useState(null);
  const [focus, setFocus] = useState(null);
  const [busy, setBusy] = useState(null);
  const [message, setMessage] = useState(null);
  const [error, setError] = useState(null);
  const [validation, setValidation] = useState(null);
  const [deployProblems, setDeployProblems] = useState(null);
  const [deployForm, setDeployForm] = useState({ effective_from: today(), effective_until: '', force: false });
  const [deployed, setDeployed] = useState(null);
  const [, setManifestTick] = useState(0);
  const [allFindings, setAllFindings] = useState(false);
  const [generation, setGeneration] = useState(0); // bumped by every load: editors re-import

  const load = useCallback(async () => {
    setLoadError(null);
    setError(null);
    setMessage(null);
    try {
      const d = await api.get(`/drafts/${encodeURIComponent(draftId)}`);
      saved.current = { ...(d.files || {}) };
      texts.current = { ...(d.files || {}) };
      jsonErrors.current = {};
      setDirty({});
      setGeneration((g) => g + 1);
      setBpmn(null);
      setSelected(null);
      setDraft(d);
      setValidation(d.validation || null);
      setActive((cur) => (cur && cur in saved.current ? cur : classifyFiles(d.files).bpmn[0] || Object.keys(d.files || {})[0] || null));
    } catch (e) {
      setLoadError(e);
    }
  }, [draftId]);
  useEffect(() => { load(); }, [load]);

  const kinds = useMemo(() => classifyFiles(draft ? texts.current : {}), [draft, dirty]);
  // The bundle now in force, to tell when the draft was made from an older one.
  const juris = useLoad(() => (draft?.jurisdiction ? api.get('/jurisdictions') : null), [draft?.jurisdiction]);
  const currentHashes = useMemo(() => {
    const j = (juris.data || []).find((x) => x.id === draft?.jurisdiction);
    return new Set((j?.processes || []).flatMap((p) => (p.versions || []).filter((v) => v.status === 'in_force').map((v) => v.bundle_hash)));
  }, [juris.data, draft?.jurisdiction]);
  const readOnly = draft?.status === 'deployed';

  // The working text of a file: from the open editor when it is the active one.
  const currentText = useCallback(async (path) => {
    if (path === active && bpmn && path.endsWith('.bpmn') && dirty[path]) {
      const { xml } = await bpmn.saveXML({ format: true });
      texts.current[path] = xml;
    } else if (path === active && dmnRef.current && path.endsWith('.dmn') && dirty[path]) {
      const { xml } = await dmnRef.current.saveXML({ format: true });
      texts.current[path] = xml;
    }
    return texts.current[path];
  }, [active, bpmn, dirty]);

  const switchTo = useCallback(async (path, element = null) => {
    if (path !== active && active) await currentText(active);
    setSelected(null);
    setFocus(element ? { file: path, element, at: Date.now() } : null);
    if (path !== active) {
      setBpmn(null);
      setActive(path);
    }
  }, [active, currentText]);

  const markDirty = useCallback((path) => setDirty((d) => (d[path] ? d : { ...d, [path]: true })), []);

  const save = useCallback(async () => {
    setError(null);
    setMessage(null);
    const paths = Object.keys(dirty).filter((p) => dirty[p]);
    const bad = paths.filter((p) => jsonErrors.current[p]);
    if (bad.length) {
      setError({ title: 'JSON 格式错误，不能保存', problem: { detail: bad.map((p) => `${p}：${jsonErrors.current[p]}`).join('；') } });
      return false;
    }
    if (!paths.length) {
      setMessage('没有需要保存的修改');
      return true;
    }
    setBusy('save');
    let revision = draft.revision;
    try {
      for (const path of paths) {
        const content = await currentText(path);
        const out = await api.put(`/drafts/${encodeURIComponent(draftId)}/files/${filePath(path)}`, { content, revision });
        revision = out?.revision ?? revision + 1;
        saved.current[path] = content;
        setDirty((d) => { const n = { ...d }; delete n[path]; return n; });
        setDraft((d) => ({ ...d, ...(out || {}), files: undefined, revision }));
      }
      setMessage(`已保存 ${paths.length} 个文件（修订号 ${revision}）`);
      return true;
    } catch (e) {
      if (e.status === 409 && readOnlyProblem(e)) {
        setError(e);
      } else if (e.status === 409) {
        setError({ title: '草稿已被他人修改，请刷新', status: 409, problem: { detail: '刷新将载入他人保存的版本，您尚未保存的修改会丢失；可先复制需要保留的内容。' } });
      } else {
        setError(e);
      }
      return false;
    } finally {
      setBusy(null);
    }
  }, [dirty, draft, draftId, currentText]);

  const validate = useCallback(async () => {
    if (!(await save())) return;
    setBusy('validate');
    setError(null);
    setDeployProblems(null);
    try {
      const result = await api.post(`/drafts/${encodeURIComponent(draftId)}/validate`, {});
      setValidation(result);
      setMessage(result.ok ? '校验通过' : '校验发现问题，见下方列表和图中标红的元素');
    } catch (e) {
      setError(e);
    } finally {
      setBusy(null);
    }
  }, [save, draftId]);

  const deploy = useCallback(async (e) => {
    e.preventDefault();
    if (!(await save())) return;
    setBusy('deploy');
    setError(null);
    setDeployProblems(null);
    try {
      const body = { effective_from: deployForm.effective_from };
      if (deployForm.effective_until) body.effective_until = deployForm.effective_until;
      if (deployForm.force) body.force = true;
      const result = await api.post(`/drafts/${encodeURIComponent(draftId)}/deploy`, body);
      setDeployed(result);
      setDraft((d) => ({ ...d, status: 'deployed' }));
      setMessage(null);
    } catch (err) {
      setError(err);
      if (err.errors?.length && err.errors.some((x) => x.file || x.element)) setDeployProblems(err.errors);
      if (err.problem?.simulation) setValidation((v) => ({ ...(v || {}), simulation: err.problem.simulation }));
    } finally {
      setBusy(null);
    }
  }, [save, draftId, deployForm]);

  // A new JSON Schema form in forms/ (saved with the next 保存).
  const newForm = useCallback(async () => {
    const name = window.prompt('新表单的文件名（英文小写与下划线，如 extra_review）：');
    if (!name) return;
    if (!/^[a-z][a-z0-9_]*$/.test(name)) {
      setError({ title: '文件名无效', problem: { detail: '只能使用英文小写字母、数字和下划线，并以字母开头' } });
      return;
    }
    const path = `forms/${name}.schema.json`;
    if (path in texts.current) {
      setError({ title: '文件已存在', problem: { detail: path } });
      return;
    }
    texts.current[path] = `${JSON.stringify({
      $schema: 'https://json-schema.org/draft/2020-12/schema', title: '新表单', description: '第X条：……',
      type: 'object', properties: {}, required: [],
    }, null, 2)}\n`;
    setError(null);
    markDirty(path);
    await switchTo(path);
  }, [markDirty, switchTo]);

  // Remove a file from the draft (a form no task uses any more, say).
  const deleteFile = useCallback(async (path) => {
    if (!window.confirm(`从草稿中删除 ${path}？`)) return;
    setError(null);
    if (!(path in saved.current)) {
      delete texts.current[path];
    } else {
      setBusy('delete');
      try {
        const out = await api.del(`/drafts/${encodeURIComponent(draftId)}/files/${filePath(path)}?revision=${draft.revision}`);
        delete saved.current[path];
        delete texts.current[path];
        setDraft((d) => ({ ...d, ...(out || {}), files: undefined, revision: out?.revision ?? d.revision + 1 }));
      } catch (e) {
        setError(e.status === 409 && !readOnlyProblem(e) ? { title: '草稿已被他人修改，请刷新', status: 409 } : e);
        return;
      } finally {
        setBusy(null);
      }
    }
    setDirty((d) => { const n = { ...d }; delete n[path]; return n; });
    setBpmn(null);
    setActive(classifyFiles(texts.current).bpmn[0] || null);
    setMessage(`已删除 ${path}`);
  }, [draftId, draft]);

  useEffect(() => {
    const onKey = (e) => {
      if ((e.ctrlKey || e.metaKey) && e.key === 's') {
        e.preventDefault();
        if (!readOnly) save();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [save, readOnly]);

  // Warn before leaving with unsaved edits.
  useEffect(() => {
    const anyDirty = Object.values(dirty).some(Boolean);
    if (!anyDirty) return undefined;
    const handler = (e) => { e.preventDefault(); e.returnValue = ''; };
    // Links inside the app (the top bar, ← 流程修订) leave the page without a reload.
    const onLink = (e) => {
      const link = e.target.closest?.('a[href]');
      if (!link || link.target === '_blank' || link.href.includes('/drafts/' + draftId)) return;
      if (!window.confirm('有未保存的修改，离开此页将丢失这些修改。确定离开？')) {
        e.preventDefault();
        e.stopPropagation();
      }
    };
    window.addEventListener('beforeunload', handler);
    document.addEventListener('click', onLink, true);
    return () => {
      window.removeEventListener('beforeunload', handler);
      document.removeEventListener('click', onLink, true);
    };
  }, [dirty, draftId]);

  // The test hooks.
  useEffect(() => {
    if (!bpmn || !active?.endsWith('.bpmn')) return undefined;
    window.__govitModeler = {
      file: active,
      modeler: bpmn,
      saveXML: async () => (await bpmn.saveXML({ format: true })).xml,
      select: (id) => {
        const el = bpmn.get('elementRegistry').get(id);
        if (el) bpmn.get('selection').select(el);
        return Boolean(el);
      },
    };
    return () => { delete window.__govitModeler; };
  }, [bpmn, active]);

  const onDmnReady = useCallback((d) => {
    dmnRef.current = d;
    window.__govitDmnModeler = { file: active, modeler: d, saveXML: async () => (await d.saveXML({ format: true })).xml };
  }, [active]);
  useEffect(() => () => { delete window.__govitDmnModeler; dmnRef.current = null; }, [active]);

  const findings = useMemo(() => (draft ? findingsOf(validation, deployProblems, texts.current, kinds.bpmn) : []),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [validation, deployProblems, draft, kinds]);

  const markers = useMemo(() => {
    const m = {};
    for (const f of findings) {
      if (f.file !== active || !f.element) continue;
      const cls = f.severity === 'error' ? 'govit-error' : 'govit-warning';
      if (m[f.element] !== 'govit-error') m[f.element] = cls;
    }
    return m;
  }, [findings, active]);
  const badges = useMemo(() => {
    const counts = {};
    for (const f of findings) if (f.file === active && f.element) counts[f.element] = (counts[f.element] || 0) + 1;
    return Object.fromEntries(Object.entries(counts).map(([id, n]) => [id, `${n} 个问题`]));
  }, [findings, active]);

  const manifest = useMemo(() => {
    try { return JSON.parse(texts.current['manifest.json'] || 'null'); } catch (e) { return null; }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [draft, dirty]);
  const onManifest = useCallback((next) => {
    texts.current['manifest.json'] = `${JSON.stringify(next, null, 2)}\n`;
    jsonErrors.current['manifest.json'] = null;
    markDirty('manifest.json');
    setManifestTick((t) => t + 1);
  }, [markDirty]);

  const options = useMemo(() => {
    const all = Object.keys(texts.current);
    const forms = all.filter((p) => p.startsWith('forms/')).map((p) => p.slice('forms/'.length));
    const decisions = [];
    for (const path of kinds.dmn) {
      for (const m of (texts.current[path] || '').matchAll(/<(?:\w+:)?decision\b[^>]*>/g)) {
        const id = /\sid="([^"]+)"/.exec(m[0])?.[1];
        const name = /\sname="([^"]*)"/.exec(m[0])?.[1];
        if (id) decisions.push({ id, name, file: path });
      }
    }
    const processes = [];
    for (const path of kinds.bpmn) {
      for (const m of (texts.current[path] || '').matchAll(/<bpmn:process\b[^>]*>/g)) {
        const id = /\sid="([^"]+)"/.exec(m[0])?.[1];
        const name = /\sname="([^"]*)"/.exec(m[0])?.[1];
        if (id) processes.push({ id, name, file: path });
      }
    }
    return {
      forms: { schemas: forms.filter((f) => f.endsWith('.schema.json')), uiSchemas: forms.filter((f) => f.endsWith('.uischema.json')) },
      decisions, processes,
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [draft, kinds]);

  if (loadError) return <div><p><Link to="/drafts">← 流程修订</Link></p><ProblemBox error={loadError} /></div>;
  if (!draft) return <Loading />;

  const anyDirty = Object.values(dirty).some(Boolean);
  const tabs = [
    ...[...kinds.bpmn, ...kinds.dmn].map((p) => ({ key: p, label: fileTitle(p, texts.current[p]), dirty: dirty[p] })),
    ...kinds.json.filter((p) => !p.startsWith('forms/')).map((p) => ({ key: p, label: '流程包清单', dirty: dirty[p] })),
    ...kinds.other.map((p) => ({ key: p, label: p === 'regulation.txt' ? '法规原文' : p, dirty: dirty[p] })),
  ];
  const activeForm = active?.startsWith('forms/') ? active : '';
  const errorsCount = findings.filter((f) => f.severity === 'error').length;
  const diff = validation?.diff;
  const focusLine = focus && focus.file === active && !active.endsWith('.bpmn') ? findings.find((f) => f.key === focus.element)?.line : null;

  return (
    <div data-testid="modeler-page">
      <p><Link to="/drafts">← 流程修订</Link></p>
      <div className="section-title" style={{ marginBottom: 10 }}>
        <h1 style={{ margin: 0 }}>{draft.title}</h1>
        <span className="muted">{draft.jurisdiction} · 草稿 {draft.id} · 修订号 {draft.revision}</span>
        <span className={`badge ${draft.status === 'deployed' ? 'green' : 'blue'}`}>{DRAFT_STATUS[draft.status] || draft.status}</span>
        {draft.updated_at && <span className="muted">更新于 {formatDateTime(draft.updated_at)}</span>}
      </div>
      <div className="toolbar">
        <button type="button" onClick={save} disabled={readOnly || busy !== null || !anyDirty}>{busy === 'save' ? '正在保存…' : '保存'}</button>
        <button type="button" onClick={validate} disabled={readOnly || busy !== null}>{busy === 'validate' ? '正在校验…' : '校验'}</button>
        <button type="button" className="secondary" onClick={() => { if (!anyDirty || window.confirm('放弃未保存的修改并重新载入草稿？')) load(); }} disabled={busy !== null}>刷新</button>
        {bpmn && active?.endsWith('.bpmn') && !readOnly && (
          <>
            <button type="button" className="secondary" onClick={() => bpmn.get('commandStack').undo()} title="撤销（Ctrl+Z）">撤销</button>
            <button type="button" className="secondary" onClick={() => bpmn.get('commandStack').redo()} title="重做（Ctrl+Y）">重做</button>
          </>
        )}
        {anyDirty && <span className="badge amber">有未保存的修改</span>}
        <span className="status-line muted" data-testid="modeler-status">{message}</span>
      </div>
      {draft.status === 'editing' && draft.base_bundle_hash && currentHashes.size > 0 && !currentHashes.has(draft.base_bundle_hash) && (
        <div className="error-box" style={{ marginBottom: 8 }} data-testid="stale-base">
          此草稿创建后，该辖区已部署了新的流程包；部署本草稿会以草稿内容为准（他人在新版本中的修改将被覆盖）。可先查看下方“与现行版本的差异”。
        </div>
      )}
      <ProblemBox error={error} testid="modeler-error" />
      <div className="row" style={{ alignItems: 'flex-end', gap: 8 }}>
        <div className="grow"><Tabs items={tabs} active={active} onChange={(t) => switchTo(t)} testid="file-tabs" /></div>
        <label className="inline" style={{ marginBottom: 8 }}>表单文件
          <select value={activeForm} onChange={(e) => e.target.value && switchTo(e.target.value)} aria-label="表单文件"
            className={activeForm ? 'active-select' : ''}>
            <option value="">选择表单（{kinds.forms.length} 个）…</option>
            {kinds.forms.map((p) => <option key={p} value={p}>{p.replace(/^forms\//, '')}{dirty[p] ? ' ●' : ''}</option>)}
          </select>
        </label>
        {!readOnly && <button type="button" className="secondary" style={{ marginBottom: 8 }} onClick={newForm} disabled={busy !== null}>新建表单</button>}
        {!readOnly && activeForm && <button type="button" className="secondary" style={{ marginBottom: 8 }} onClick={() => deleteFile(activeForm)} disabled={busy !== null}>删除此表单</button>}
      </div>

      {active?.endsWith('.bpmn') && (
        <div className="modeler-layout">
          <div className="modeler-main">
            <BpmnCanvas key={`${active}#${generation}`} editable={!readOnly} xml={texts.current[active]} height={680} testid="modeler-canvas"
              markers={markers} badges={badges} selected={focus?.file === active ? focus.element : selected?.id}
              onSelect={(el) => { setSelected(el); if (focus && el && el.id !== focus.element) setFocus(null); }} focusZoom
              onReady={(m) => setBpmn(m)} onChange={() => markDirty(active)} />
          </div>
          <PropertiesPanel modeler={readOnly ? null : bpmn} element={selected} forms={options.forms} decisions={options.decisions}
            processes={options.processes} manifest={manifest} onManifest={onManifest} readOnly={readOnly} />
        </div>
      )}
      {active?.endsWith('.dmn') && (
        <div data-testid="dmn-editor">
          <p className="muted">点击单元格即可修改（例如限额）；单元格是 Python 表达式，如 <code>&lt; 100000</code>。</p>
          <DmnCanvas key={`${active}#${generation}`} xml={texts.current[active]} editable={!readOnly} onReady={onDmnReady} onChange={() => markDirty(active)} />
        </div>
      )}
      {active && !active.endsWith('.bpmn') && !active.endsWith('.dmn') && (
        <TextEditor key={`${active}#${generation}/${focusLine || ''}`} path={active} initial={texts.current[active]} readOnly={readOnly} line={focusLine}
          onChange={(text, err) => { texts.current[active] = text; jsonErrors.current[active] = err; markDirty(active); }} />
      )}

      <div className="row" style={{ marginTop: 16 }}>
        <div className="card grow" data-testid="validation-findings">
          <h2>校验结果</h2>
          {!validation && !deployProblems && <p className="muted">尚未校验。点击“校验”：服务端检查 XSD、规范（lint）并模拟运行全部路径。</p>}
          {validation && (
            <p>
              {validation.ok ? <span className="badge green">校验通过</span> : <span className="badge red">发现问题</span>}
              <span className="muted">　问题 {(validation.problems || []).length} 项，模拟运行发现 {(validation.simulation?.findings || []).length} 项（错误 {errorsCount} 项）</span>
              {validation.simulation == null && <span className="muted">（未模拟运行）</span>}
              {validation.validated_at && <span className="muted">　校验时间 {formatDateTime(validation.validated_at)}</span>}
            </p>
          )}
          {validation?.revision != null && validation.revision !== draft.revision && (
            <p className="sev-warning">此结果针对修订号 {validation.revision}，草稿之后又有修改，请重新校验。</p>
          )}
          {findings.length > 0 && (
            <ul className="findings">
              {(allFindings ? findings : findings.slice(0, SHOWN_FINDINGS)).map((f) => (
                <li key={f.key} className={focus && focus.file === f.file && focus.element === (f.file?.endsWith('.bpmn') ? f.element : f.key) ? 'active' : ''}
                  data-testid="finding" data-element={f.element || ''} data-file={f.file || ''}
                  onClick={() => f.file && switchTo(f.file, f.file.endsWith('.bpmn') ? f.element : f.key)}>
                  <span className={`sev-${f.severity}`}>[{SEVERITY[f.severity] || f.severity}]</span>{' '}
                  <span className="muted">{f.source}</span>{' '}
                  {f.file && <span className="muted">{f.file}</span>}
                  {f.element && <span> · {f.name || f.element}{f.name ? <span className="muted">（{f.element}）</span> : null}</span>}
                  {f.line && <span className="muted"> · 第 {f.line} 行</span>}
                  ：{f.message}
                  {f.path?.length > 0 && <div className="muted" style={{ fontSize: 12 }}>路径：{f.path.join(' → ')}</div>}
                </li>
              ))}
            </ul>
          )}
          {findings.length > SHOWN_FINDINGS && (
            <button type="button" className="link" onClick={() => setAllFindings(!allFindings)}>
              {allFindings ? '只显示前 40 项' : `显示全部 ${findings.length} 项`}
            </button>
          )}
        </div>
        <div className="card grow">
          <h2>与现行版本的差异</h2>
          {!diff && <p className="muted">校验后显示本草稿相对现行流程包的修改。</p>}
          {diff && <DiffSummary diff={diff} />}
        </div>
      </div>

      <div className="card">
        <h2>部署</h2>
        {deployed ? (
          <div className="ok-box" data-testid="deploy-result">
            已部署（生效日期 {deployed.effective_from}{deployed.effective_until ? `，失效日期 ${deployed.effective_until}` : ''}{deployed.forced ? '，强制部署' : ''}）。
            {(deployed.created || []).length === 0 && <div>流程包没有变化，未创建新版本。</div>}
            <ul>
              {(deployed.created || []).map((c) => (
                <li key={`${c.process_key}/${c.version}`}>
                  新版本：{c.process_key} 第 {c.version} 版　
                  <Link to={`/catalog/${encodeURIComponent(c.process_key)}?version=${c.version}`}>查看</Link>
                  {c.version > 1 && <>　<Link to={`/diff/${encodeURIComponent(c.process_key)}/${c.version - 1}/${c.version}`}>查看差异（第 {c.version - 1} 版 → 第 {c.version} 版）</Link></>}
                </li>
              ))}
              {(deployed.unchanged || []).map((c) => <li key={`u${c.process_key}`} className="muted">{c.process_key} 未变化（仍为第 {c.version} 版）</li>)}
            </ul>
          </div>
        ) : readOnly ? <p className="muted">此草稿已部署。</p> : (
          <form className="toolbar" onSubmit={deploy}>
            <label className="inline">生效日期 <input type="date" required value={deployForm.effective_from} aria-label="生效日期"
              onChange={(e) => setDeployForm({ ...deployForm, effective_from: e.target.value })} /></label>
            <label className="inline">失效日期（可空） <input type="date" value={deployForm.effective_until} aria-label="失效日期"
              onChange={(e) => setDeployForm({ ...deployForm, effective_until: e.target.value })} /></label>
            {(findings.length > 0 || deployForm.force) && (
              <label className="inline"><input type="checkbox" checked={deployForm.force} aria-label="强制部署"
                onChange={(e) => setDeployForm({ ...deployForm, force: e.target.checked })} />强制部署（模拟运行有问题时仍然部署）</label>
            )}
            <button type="submit" disabled={busy !== null || !deployForm.effective_from}>{busy === 'deploy' ? '正在部署…' : '部署'}</button>
            {errorsCount > 0 && <span className="sev-error">有 {errorsCount} 个错误尚未解决</span>}
          </form>
        )}
      </div>
    </div>
  );
}
