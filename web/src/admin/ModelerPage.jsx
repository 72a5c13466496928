import React, { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { Link, useParams } from 'react-router-dom';
import { api } from '../api.js';
import { formatDateTime } from '../format.js';
import BpmnCanvas, { fitClearOfPalette } from './BpmnCanvas.jsx';
import DmnCanvas from './DmnCanvas.jsx';
import PropertiesPanel from './properties/PanelHost.jsx';
import TextEditor from './TextEditor.jsx';
import DeployPanel from './DeployPanel.jsx';
import ExpertSwitch from './ExpertSwitch.jsx';
import FormEditor from './FormEditor.jsx';
import ModelerFindings, { findingsOf } from './ModelerFindings.jsx';
import { TrialLegend } from './TrialRun.jsx';
import useDraftTexts from './useDraftTexts.js';
import { useDiagramMarks, useLeaveWarning, useModelerTestHook, useSaveShortcut } from './modelerHooks.js';
import { DRAFT_STATUS } from './DraftsPage.jsx';
import { classifyFiles, Loading, ProblemBox, Tabs, useLoad } from './common.jsx';
import { DiffSummary } from './DiffPage.jsx';
import { elementNames, fileNames, formTitle, inWords, isForm, isFormUi, schemaOf, uiOf } from './bundleNames.js';
import DmnWordsEditor from './dmn/DmnWordsEditor.jsx';
import NewDecisionTable from './dmn/NewDecisionTable.jsx';
import './admin.css';

// The in-product modeler for a bundle draft (/drafts/:draftId): a tab per diagram, decision
// table and setting, a form picked by its title; 保存 (with a true save state, useDraftTexts.js),
// 校验, 试运行 (the simulation on the diagram, TrialRun.jsx), 部署 after a confirmation
// (DeployPanel.jsx). Test hooks: window.__govitModeler (modelerHooks.js) while a BPMN tab is
// open, window.__govitDmnModeler while dmn-js shows a DMN tab; removed when the tab closes.

const CHECK_DELAY_MS = 300; // an editor's export is compared once the edits pause

// A 409 on save is a stale revision unless the draft was deployed meanwhile.
function readOnlyProblem(e) {
  return /deployed|已部署|只读/.test(`${e.problem?.detail || ''}${e.problem?.title || ''}${e.problem?.type || ''}`);
}

function filePath(path) {
  return path.split('/').map(encodeURIComponent).join('/');
}

const draftUrl = (id, rest = '') => `/drafts/${encodeURIComponent(id)}${rest}`;

// A 409 that is not about a deployed draft: someone else saved first.
const conflict = (e) => (e.status === 409 && !readOnlyProblem(e)
  ? { title: '草稿已被他人修改，请刷新', status: 409, problem: { detail: '刷新将载入他人保存的版本，您尚未保存的修改会丢失；可先复制需要保留的内容。' } }
  : e);

export default function ModelerPage() {
  const { draftId } = useParams();
  const [draft, setDraft] = useState(null);
  const [loadError, setLoadError] = useState(null);
  const {
    texts, saved, jsonErrors, dirty, wordsDirty, anyDirty, unsavedWords, reset, changedPaths, recheck, recheckAll, edited,
    setText, markSaved, forget, rememberExport, setWordsUnsaved,
  } = useDraftTexts();
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
  const [deployed, setDeployed] = useState(null);
  const [trial, setTrial] = useState(false);
  const [expert, setExpert] = useState(false); // a decision table as written (dmn-js) instead of in words
  const [newProcess, setNewProcess] = useState(null); // the name being typed, or null
  const [newTable, setNewTable] = useState(false); // 新建决策表 open
  const [, setTick] = useState(0);
  const [generation, setGeneration] = useState(0); // bumped by every load: editors re-import
  const checkTimer = useRef(null);

  const applyDetail = useCallback((d, open = null) => {
    reset(d.files);
    setGeneration((g) => g + 1);
    setBpmn(null);
    setSelected(null);
    setDraft(d);
    setValidation(d.validation || null);
    const first = classifyFiles(d.files).bpmn[0] || Object.keys(d.files || {})[0] || null;
    setActive((cur) => open || (cur && cur in (d.files || {}) ? cur : first));
  }, [reset]);

  const load = useCallback(async () => {
    setLoadError(null);
    setError(null);
    setMessage(null);
    try {
      applyDetail(await api.get(draftUrl(draftId)));
    } catch (e) {
      setLoadError(e);
    }
  }, [draftId, applyDetail]);
  useEffect(() => { load(); }, [load]);

  const kinds = useMemo(() => classifyFiles(draft ? texts.current : {}), [draft, dirty]); // eslint-disable-line react-hooks/exhaustive-deps
  const juris = useLoad(() => (draft?.jurisdiction ? api.get('/jurisdictions') : null), [draft?.jurisdiction]);
  const jurisdiction = (juris.data || []).find((x) => x.id === draft?.jurisdiction);
  // The bundle now in force, to tell when the draft was made from an older one.
  const currentHashes = useMemo(() => new Set((jurisdiction?.processes || [])
    .flatMap((p) => (p.versions || []).filter((v) => v.status === 'in_force').map((v) => v.bundle_hash))), [jurisdiction]);
  const vocabulary = useLoad(() => api.get(draftUrl(draftId, '/words')).catch(() => null), [draftId]);
  const readOnly = draft?.status === 'deployed';

  // The open editor's text into texts.current (diagram and dmn-js tables live in their editors).
  const flush = useCallback(async () => {
    if (!active) return;
    const editor = active.endsWith('.bpmn') ? bpmn : active.endsWith('.dmn') ? dmnRef.current : null;
    if (editor) texts.current[active] = (await editor.saveXML({ format: true })).xml;
  }, [active, bpmn, texts]);

  // An edit in the diagram or table: compared with the saved text once the edits pause.
  const editorChanged = useCallback((path) => {
    clearTimeout(checkTimer.current);
    edited(path);
    checkTimer.current = setTimeout(async () => { await flush(); recheck(path); }, CHECK_DELAY_MS);
  }, [flush, edited, recheck]);
  useEffect(() => () => clearTimeout(checkTimer.current), []);

  const switchTo = useCallback(async (path, element = null) => {
    if (path !== active) await flush();
    setSelected(null);
    setFocus(element ? { file: path, element, at: Date.now() } : null);
    if (path !== active) {
      setBpmn(null);
      // each table opens in words, unless its unsaved edits are in the expert view (words read the saved table)
      if (!changedPaths().includes(path)) setExpert(false);
      setActive(path);
    }
  }, [active, flush, changedPaths]);

  const afterWrite = (out, revision) => setDraft((d) => ({ ...d, ...(out || {}), files: undefined, validation: undefined, revision }));

  // Saves every changed file; the revision it ends on, or null when it failed. A decision table
  // edited in words is saved by its editor's own 保存 (through the server's table endpoint).
  const save = useCallback(async () => {
    setError(null);
    setMessage(null);
    const names = fileNames(texts.current);
    if (unsavedWords.length) {
      setError({ title: '决策表有未保存的修改', problem: { detail: `请先点${unsavedWords.map((p) => names[p]).join('、')}上方的“保存”。` } });
      return null;
    }
    clearTimeout(checkTimer.current);
    await flush();
    const paths = changedPaths();
    const bad = paths.filter((p) => jsonErrors.current[p]);
    if (bad.length) {
      setError({ title: '格式错误，不能保存', problem: { detail: bad.map((p) => `${names[p]}：${jsonErrors.current[p]}`).join('；') } });
      return null;
    }
    if (!paths.length) {
      recheckAll();
      setMessage('没有需要保存的修改');
      return draft.revision;
    }
    setBusy('save');
    let { revision } = draft;
    try {
      for (const path of paths) {
        const content = texts.current[path];
        const out = await api.put(draftUrl(draftId, `/files/${filePath(path)}`), { content, revision });
        revision = out?.revision ?? revision + 1;
        markSaved(path, content);
        afterWrite(out, revision);
      }
      setMessage(`已保存 ${paths.length} 个文件（修订号 ${revision}）`);
      return revision;
    } catch (e) {
      setError(conflict(e));
      return null;
    } finally {
      setBusy(null);
      recheckAll();
    }
  }, [draft, draftId, flush, texts, unsavedWords, changedPaths, jsonErrors, markSaved, recheckAll]);

  const runValidation = useCallback(async (label) => {
    setBusy(label);
    setError(null);
    setDeployProblems(null);
    try {
      const result = await api.post(draftUrl(draftId, '/validate'), {});
      setValidation(result);
      return result;
    } catch (e) {
      setError(e);
      return null;
    } finally {
      setBusy(null);
    }
  }, [draftId]);

  const validate = useCallback(async () => {
    if ((await save()) == null) return;
    const result = await runValidation('validate');
    if (result) setMessage(result.ok ? '校验通过' : '校验发现问题，见下方列表和图中标红的元素');
  }, [save, runValidation]);

  const trialRun = useCallback(async () => {
    if ((await save()) == null) return;
    const result = await runValidation('trial');
    if (!result) return;
    setTrial(true);
    setMessage(result.simulation ? '试运行完成：图中标出了模拟经过的环节和发现的问题' : '流程图无法运行，见下方校验结果');
  }, [save, runValidation]);

  // Before the confirmation: everything saved, and a validation of exactly that revision.
  const prepareDeploy = useCallback(async () => {
    const revision = await save();
    if (revision == null) return null;
    if (validation && validation.revision === revision && !deployProblems) return validation;
    return runValidation('prepare');
  }, [save, validation, deployProblems, runValidation]);

  const deploy = useCallback(async (body) => {
    setBusy('deploy');
    setError(null);
    setDeployProblems(null);
    try {
      const result = await api.post(draftUrl(draftId, '/deploy'), body);
      setDeployed(result);
      setBusy(null);
      await load(); // the deployed draft, read-only: its diagrams stay on the page
    } catch (err) {
      setError(err);
      if (err.errors?.length && err.errors.some((x) => x.file || x.element)) setDeployProblems(err.errors);
      if (err.problem?.simulation) setValidation((v) => ({ ...(v || {}), simulation: err.problem.simulation }));
    } finally {
      setBusy(null);
    }
  }, [draftId, load]);

  // A new form (saved with the next 保存); the file is named by the modeler, the form by its title.
  const newForm = useCallback(async () => {
    const title = window.prompt('新表单的名称（如：专家评审意见）：');
    if (!title || !title.trim()) return;
    let n = 1;
    while (`forms/form_${n}.schema.json` in texts.current) n += 1;
    const path = `forms/form_${n}.schema.json`;
    setText(path, `${JSON.stringify({
      $schema: 'https://json-schema.org/draft/2020-12/schema', title: title.trim(), description: '',
      type: 'object', properties: {}, required: [],
    }, null, 2)}\n`);
    setError(null);
    await switchTo(path);
  }, [texts, setText, switchTo]);

  // Remove a form (schema and layout) from the draft, a form no task uses any more, say.
  const deleteForm = useCallback(async (path) => {
    const names = fileNames(texts.current);
    if (!window.confirm(`从草稿中删除${names[path]}？`)) return;
    setError(null);
    let { revision } = draft;
    for (const p of [path, uiOf(path)].filter((x) => x in texts.current)) {
      if (p in saved.current) {
        setBusy('delete');
        try {
          const out = await api.del(`${draftUrl(draftId, `/files/${filePath(p)}`)}?revision=${revision}`);
          revision = out?.revision ?? revision + 1;
          afterWrite(out, revision);
        } catch (e) {
          setError(conflict(e));
          return;
        } finally {
          setBusy(null);
        }
      }
      forget(p);
    }
    setBpmn(null);
    setActive(classifyFiles(texts.current).bpmn[0] || null);
    setMessage(`已删除${names[path]}`);
  }, [draftId, draft, texts, saved, forget]);

  // 新建流程: an empty diagram made by the server, opened in its own tab.
  const createProcess = useCallback(async (e) => {
    e.preventDefault();
    const revision = await save();
    if (revision == null) return;
    setBusy('process');
    try {
      const before = new Set(Object.keys(saved.current));
      const d = await api.post(draftUrl(draftId, '/processes'), { name: newProcess.trim(), revision });
      applyDetail(d, classifyFiles(d.files).bpmn.find((p) => !before.has(p)) || null);
      setNewProcess(null);
      setMessage(`已新建流程“${newProcess.trim()}”`);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(null);
    }
  }, [save, draftId, newProcess, applyDetail, saved]);

  // 新建决策表: everything saved first, then the table made by the server opens in its tab.
  const openNewTable = useCallback(async () => {
    if ((await save()) != null) setNewTable(true);
  }, [save]);
  const onTableCreated = useCallback((d, path) => {
    applyDetail(d, path || classifyFiles(d.files).dmn.find((p) => !(p in saved.current)) || null);
    setNewTable(false);
    setExpert(false);
    setMessage('已新建决策表');
  }, [applyDetail, saved]);

  // The words editor of a decision table saved it through its own endpoint.
  const onWordsSaved = useCallback((d) => {
    for (const [path, text] of Object.entries(d.files || {})) {
      if (saved.current[path] !== text) markSaved(path, text, true);
    }
    setDraft((cur) => ({ ...cur, ...d, files: undefined, validation: undefined }));
    setMessage(`已保存（修订号 ${d.revision}）`);
  }, [markSaved, saved]);

  // The words editor reads the table from the server, dmn-js from the page: one of them at a time
  // holds unsaved edits, so the view changes only when the table is saved.
  const switchDmnView = useCallback(async (next) => {
    await flush();
    if (wordsDirty[active] || changedPaths().includes(active)) {
      setError({ title: '请先保存此决策表的修改', problem: { detail: '保存后再切换“按文字编辑”和“专家视图”。' } });
      return;
    }
    setError(null);
    setExpert(next);
  }, [flush, wordsDirty, active, changedPaths]);

  useSaveShortcut(save, readOnly);
  useLeaveWarning(anyDirty, draftId);
  useModelerTestHook(bpmn, active);

  const onBpmnReady = useCallback((m) => {
    setBpmn(m);
    rememberExport(active, m);
  }, [active, rememberExport]);
  // While dmn-js shows a DMN tab: window.__govitDmnModeler = {file, modeler, saveXML} for tests.
  const onDmnReady = useCallback((d) => {
    dmnRef.current = d;
    rememberExport(active, d);
    window.__govitDmnModeler = { file: active, modeler: d, saveXML: async () => (await d.saveXML({ format: true })).xml };
  }, [active, rememberExport]);
  useEffect(() => () => { delete window.__govitDmnModeler; dmnRef.current = null; }, [active, expert]);

  const files = useMemo(() => fileNames(texts.current), [draft, dirty]); // eslint-disable-line react-hooks/exhaustive-deps
  const names = useMemo(() => elementNames(texts.current), [draft, dirty]); // eslint-disable-line react-hooks/exhaustive-deps
  const findings = useMemo(() => (draft ? findingsOf(validation, deployProblems, texts.current, kinds.bpmn) : []),
    [validation, deployProblems, draft, kinds]); // eslint-disable-line react-hooks/exhaustive-deps
  const { markers, badges } = useDiagramMarks(findings, active, trial, bpmn, validation?.simulation);

  const manifest = useMemo(() => {
    try { return JSON.parse(texts.current['manifest.json'] || 'null'); } catch (e) { return null; }
  }, [draft, dirty]); // eslint-disable-line react-hooks/exhaustive-deps
  const processNames = useMemo(() => Object.fromEntries((manifest?.processes || []).map((p) => [p.key, p.name])), [manifest]);
  const onManifest = useCallback((next) => {
    setText('manifest.json', `${JSON.stringify(next, null, 2)}\n`);
    setTick((n) => n + 1);
  }, [setText]);

  const options = useMemo(() => panelOptions(texts.current, kinds), [draft, kinds]); // eslint-disable-line react-hooks/exhaustive-deps
  // The text an editor opens with: fixed while it stays mounted (the page keeps what the editor
  // exports in texts.current; handing that back would import it again, losing undo and selection).
  const openedText = useMemo(() => texts.current[active], [active, generation, readOnly, expert]); // eslint-disable-line react-hooks/exhaustive-deps

  if (loadError) return <div><p><Link to="/drafts">← 流程修订</Link></p><ProblemBox error={loadError} /></div>;
  if (!draft) return <Loading />;

  const formPaths = kinds.forms.filter(isForm);
  const formDirty = (p) => dirty[p] || dirty[uiOf(p)];
  const tabs = [
    ...[...kinds.bpmn, ...kinds.dmn].map((p) => ({ key: p, label: files[p], dirty: dirty[p] || wordsDirty[p] })),
    ...Object.keys(texts.current).filter((p) => !p.startsWith('forms/') && !kinds.bpmn.includes(p) && !kinds.dmn.includes(p))
      .sort((a, b) => (a === 'manifest.json' ? -1 : b === 'manifest.json' ? 1 : a.localeCompare(b)))
      .map((p) => ({ key: p, label: files[p], dirty: dirty[p] })),
    ...(active && isForm(active) ? [{ key: active, label: files[active], dirty: formDirty(active) }] : []),
  ];
  const activeForm = active && isForm(active) ? active : '';
  const errorsCount = findings.filter((f) => f.severity === 'error').length;
  const focusLine = focus && focus.file === active && !active.endsWith('.bpmn') ? findings.find((f) => f.key === focus.element)?.line : null;
  const editorKey = `${active}#${generation}#${readOnly ? 'ro' : 'rw'}#${expert ? 'x' : 'w'}`;
  const shownError = error && inWordsError(error, files, names);

  return (
    <div data-testid="modeler-page">
      <p><Link to="/drafts">← 流程修订</Link></p>
      <div className="section-title" style={{ marginBottom: 10 }}>
        <h1 style={{ margin: 0 }}>{draft.title}</h1>
        <span className="muted">{jurisdiction?.name || manifest?.name || ''} · 草稿 {draft.id} · 修订号 {draft.revision}</span>
        <span className={`badge ${draft.status === 'deployed' ? 'green' : 'blue'}`}>{DRAFT_STATUS[draft.status] || '草稿'}</span>
        {draft.updated_at && <span className="muted">更新于 {formatDateTime(draft.updated_at)}</span>}
        <Link to={draftUrl(draft.id, '/organisation')}>科室与人员</Link>
      </div>
      <div className="toolbar">
        <button type="button" onClick={save} disabled={readOnly || busy !== null || !anyDirty}>{busy === 'save' ? '正在保存…' : '保存'}</button>
        <button type="button" onClick={validate} disabled={readOnly || busy !== null}>{busy === 'validate' ? '正在校验…' : '校验'}</button>
        <button type="button" onClick={trialRun} disabled={readOnly || busy !== null} title="模拟运行全部路径，把经过的环节和发现的问题标在图上">
          {busy === 'trial' ? '正在试运行…' : '试运行'}
        </button>
        <button type="button" className="secondary" onClick={() => { if (!anyDirty || window.confirm('放弃未保存的修改并重新载入草稿？')) load(); }} disabled={busy !== null}>刷新</button>
        {bpmn && active?.endsWith('.bpmn') && !readOnly && (
          <>
            <button type="button" className="secondary" onClick={() => bpmn.get('commandStack').undo()} title="撤销（Ctrl+Z）">撤销</button>
            <button type="button" className="secondary" onClick={() => bpmn.get('commandStack').redo()} title="重做（Ctrl+Y）">重做</button>
            <button type="button" className="secondary" title="缩放到能看到整张流程图"
              onClick={() => fitClearOfPalette(bpmn, bpmn.get('canvas').getContainer())}>显示全图</button>
          </>
        )}
        {anyDirty ? <span className="badge amber" data-testid="save-state">有未保存的修改</span>
          : <span className="badge green" data-testid="save-state">{readOnly ? '已部署' : '已全部保存'}</span>}
        <span className="status-line muted" data-testid="modeler-status">{message}</span>
      </div>
      {draft.status === 'editing' && draft.base_bundle_hash && currentHashes.size > 0 && !currentHashes.has(draft.base_bundle_hash) && (
        <div className="error-box" style={{ marginBottom: 8 }} data-testid="stale-base">
          此草稿创建后，该辖区已部署了新的流程包；部署本草稿会以草稿内容为准（他人在新版本中的修改将被覆盖）。可先查看下方“与现行版本的差异”。
        </div>
      )}
      <ProblemBox error={shownError} testid="modeler-error" />
      <div className="row" style={{ alignItems: 'flex-end', gap: 8 }}>
        <div className="grow"><Tabs items={tabs} active={active} onChange={(t) => switchTo(t)} testid="file-tabs" /></div>
        {!readOnly && (newProcess === null
          ? <button type="button" className="secondary" style={{ marginBottom: 8 }} onClick={() => setNewProcess('')} disabled={busy !== null}>新建流程</button>
          : (
            <form className="inline" style={{ marginBottom: 8 }} onSubmit={createProcess}>
              <input value={newProcess} onChange={(e) => setNewProcess(e.target.value)} aria-label="新流程名称" placeholder="新流程名称" required autoFocus />
              <button type="submit" disabled={busy !== null || !newProcess.trim()}>创建</button>
              <button type="button" className="secondary" onClick={() => setNewProcess(null)}>取消</button>
            </form>
          ))}
        {!readOnly && !newTable && (
          <button type="button" className="secondary" style={{ marginBottom: 8 }} onClick={openNewTable} disabled={busy !== null}>新建决策表</button>
        )}
        <label className="inline" style={{ marginBottom: 8 }}>表单
          <select value={activeForm} onChange={(e) => e.target.value && switchTo(e.target.value)} aria-label="表单"
            className={activeForm ? 'active-select' : ''}>
            <option value="">选择表单（{formPaths.length} 个）…</option>
            {formPaths.map((p) => <option key={p} value={p}>{formTitle(texts.current[p]) || '未命名表单'}{formDirty(p) ? ' ●' : ''}</option>)}
          </select>
        </label>
        {!readOnly && <button type="button" className="secondary" style={{ marginBottom: 8 }} onClick={newForm} disabled={busy !== null}>新建表单</button>}
        {!readOnly && activeForm && <button type="button" className="secondary" style={{ marginBottom: 8 }} onClick={() => deleteForm(activeForm)} disabled={busy !== null}>删除此表单</button>}
      </div>

      {newTable && (
        <div className="card" data-testid="new-decision-table">
          <NewDecisionTable draftId={draft.id} revision={draft.revision} onCreated={onTableCreated} onCancel={() => setNewTable(false)} />
        </div>
      )}
      {trial && active?.endsWith('.bpmn') && validation?.simulation && (
        <TrialLegend simulation={validation.simulation} processNames={processNames} onClose={() => setTrial(false)} />
      )}
      {active?.endsWith('.bpmn') && (
        <div className="modeler-layout">
          <div className="modeler-main">
            <BpmnCanvas key={editorKey} editable={!readOnly} xml={openedText} height={680} testid="modeler-canvas"
              draftId={draft.id} markers={markers} badges={badges} selected={focus?.file === active ? focus.element : selected?.id}
              onSelect={(el) => { setSelected(el); if (focus && el && el.id !== focus.element) setFocus(null); }}
              focusZoom={Boolean(focus)} /* a finding zooms to its element; a click on the diagram never moves it */
              onReady={onBpmnReady} onChange={() => editorChanged(active)} />
          </div>
          <PropertiesPanel modeler={readOnly ? null : bpmn} element={selected} forms={options.forms} decisions={options.decisions}
            processes={options.processes} manifest={manifest} onManifest={onManifest} readOnly={readOnly} />
        </div>
      )}
      {active?.endsWith('.dmn') && (
        <div data-testid="dmn-editor">
          <ExpertSwitch expert={expert} onChange={switchDmnView} words="按文字编辑" raw="专家视图" />
          {!expert ? (
            <DmnWordsEditor key={editorKey} draftId={draft.id} path={active} revision={draft.revision} readOnly={readOnly}
              onSaved={onWordsSaved} onDirty={(d) => setWordsUnsaved(active, d)} />
          ) : (
            <>
              <p className="muted">点击单元格即可修改（例如限额），修改后点“保存”。</p>
              <DmnCanvas key={editorKey} xml={openedText} editable={!readOnly} onReady={onDmnReady} onChange={() => editorChanged(active)} />
            </>
          )}
        </div>
      )}
      {activeForm && (
        <FormEditor key={editorKey} path={activeForm} texts={texts.current} readOnly={readOnly}
          vocabulary={vocabulary.data} onText={setText} />
      )}
      {active === 'manifest.json' && (
        <p className="muted" data-testid="manifest-hint">
          流程包设置以 JSON 记录流程、泳道与角色、演示用户等，供熟悉格式的人员修改；机构、单位与人员请在
          <Link to={draftUrl(draft.id, '/organisation')}>科室与人员</Link>中按表格修改。
        </p>
      )}
      {active && !activeForm && !active.endsWith('.bpmn') && !active.endsWith('.dmn') && (
        <TextEditor key={`${editorKey}/${focusLine || ''}`} path={active} title={files[active]} initial={texts.current[active]}
          readOnly={readOnly} line={focusLine} onChange={(text, err) => setText(active, text, err)} />
      )}

      <div className="row" style={{ marginTop: 16 }}>
        <ModelerFindings validation={validation} findings={findings} revision={draft.revision} focus={focus} files={files} names={names}
          onPick={(f) => switchTo(isFormUi(f.file) ? schemaOf(f.file) : f.file, f.file.endsWith('.bpmn') ? f.element : f.key)} />
        <div className="card grow">
          <h2>与现行版本的差异</h2>
          {!validation?.diff && <p className="muted">校验后显示本草稿相对现行流程包的修改。</p>}
          {validation?.diff && <DiffSummary diff={validation.diff} files={files} names={names} />}
        </div>
      </div>

      <DeployPanel readOnly={readOnly} busy={busy} errorsCount={errorsCount} findingsCount={findings.length}
        prepare={prepareDeploy} deploy={deploy} result={deployed} processNames={processNames} files={files} names={names} />
    </div>
  );
}

// A problem from the server with the files and elements it names in words.
function inWordsError(error, files, names) {
  const detail = error.problem?.detail;
  return {
    ...error,
    message: inWords(error.message, files, names),
    title: inWords(error.title, files, names),
    problem: error.problem && { ...error.problem, detail: detail && inWords(detail, files, names) },
    errors: (error.errors || []).map((x) => ({
      ...x, file: files[x.file] || null, element: x.element ? names[x.element] || null : null, message: inWords(x.message, files, names),
    })),
  };
}

// What the properties panel offers to pick: forms, decisions and processes of the draft.
function panelOptions(texts, kinds) {
  const forms = Object.keys(texts).filter((p) => p.startsWith('forms/')).map((p) => p.slice('forms/'.length));
  const named = (paths, tag) => paths.flatMap((path) => [...(texts[path] || '').matchAll(tag)].map((m) => ({
    id: /\sid="([^"]+)"/.exec(m[0])?.[1], name: /\sname="([^"]*)"/.exec(m[0])?.[1], file: path,
  })).filter((x) => x.id));
  return {
    forms: { schemas: forms.filter((f) => f.endsWith('.schema.json')), uiSchemas: forms.filter((f) => f.endsWith('.uischema.json')) },
    decisions: named(kinds.dmn, /<(?:\w+:)?decision\b[^>]*>/g),
    processes: named(kinds.bpmn, /<bpmn:process\b[^>]*>/g),
  };
}
