import React, { useCallback, useEffect, useRef, useState } from 'react';
import { api } from '../../api.js';
import { Loading, ProblemBox } from '../common.jsx';
import CellEditor from './CellEditor.jsx';
import ColumnsEditor from './ColumnsEditor.jsx';
import { ANY, blankResult, complete } from './cells.js';
import './dmn.css';

// A draft's DMN file edited in words (GET/PUT /drafts/{id}/decisions/{path}): per decision the hit
// policy as a sentence with a picker, and each rule as a card — its article (条文依据), its
// conditions and results by their Chinese labels — that wraps inside its container. Rules are
// added, removed and reordered; 保存 writes the table through the server, which keeps every id.
// window.__govitDmnWords = {path, save} while shown, for tests.
export default function DmnWordsEditor({ draftId, path, revision, onSaved, onDirty, readOnly = false }) {
  const [decisions, setDecisions] = useState(null);
  const [error, setError] = useState(null);
  const [saving, setSaving] = useState(false);
  const [dirty, setDirty] = useState(false);
  const [savedAt, setSavedAt] = useState(null);
  const [vocabulary, setVocabulary] = useState(null);
  const revisionRef = useRef(revision);
  const stateRef = useRef(null);
  stateRef.current = decisions;

  useEffect(() => { revisionRef.current = revision; }, [revision]);

  const load = useCallback(() => {
    setError(null);
    return api.get(`/drafts/${draftId}/decisions/${path}`).then((t) => {
      setDecisions(t.decisions);
      setDirty(false);
      onDirty?.(false);
    }).catch(setError);
  }, [draftId, path]); // eslint-disable-line react-hooks/exhaustive-deps

  useEffect(() => { setDecisions(null); load(); }, [load]);
  useEffect(() => {
    api.get(`/drafts/${draftId}/words`).then(setVocabulary).catch(() => setVocabulary(null));
  }, [draftId]);

  const change = (index, next) => {
    setDecisions((cur) => cur.map((d, i) => (i === index ? next(d) : d)));
    setSavedAt(null);
    if (!dirty) { setDirty(true); onDirty?.(true); }
  };

  const save = useCallback(async () => {
    const current = stateRef.current;
    if (!current) return null;
    const incomplete = firstIncomplete(current);
    if (incomplete) {
      const e = { title: '请先填写完整', problem: { detail: incomplete } };
      setError(e);
      throw e;
    }
    setSaving(true);
    setError(null);
    try {
      const body = { revision: revisionRef.current, decisions: current.map((d) => ({
        id: d.id, hit_policy: d.hit_policy, inputs: d.inputs, outputs: d.outputs, rules: d.rules,
      })) };
      const detail = await api.put(`/drafts/${draftId}/decisions/${path}`, body);
      revisionRef.current = detail.revision;
      await load();
      setSavedAt(new Date());
      onSaved?.(detail);
      return detail;
    } catch (e) {
      setError(namedByRule(e, current));
      throw e;
    } finally {
      setSaving(false);
    }
  }, [draftId, path, load, onSaved]);

  useEffect(() => {
    window.__govitDmnWords = { path, save };
    return () => { if (window.__govitDmnWords?.path === path) delete window.__govitDmnWords; };
  }, [path, save]);

  if (!decisions) return error ? <ProblemBox error={error} /> : <Loading />;
  return (
    <div className="dmn-words-editor" data-testid="dmn-words-editor">
      <div className="dmn-toolbar">
        <button type="button" data-testid="dmn-words-save" disabled={readOnly || saving || !dirty}
          onClick={() => save().catch(() => {})}>{saving ? '正在保存…' : '保存'}</button>
        {dirty && <span className="badge amber" data-testid="dmn-words-dirty">有未保存的修改</span>}
        {!dirty && savedAt && <span className="badge green" data-testid="dmn-words-saved">已保存</span>}
      </div>
      <ProblemBox error={error} testid="dmn-words-problem" />
      {decisions.length === 0 && <p className="muted">此文件中没有可按文字编辑的决策表。</p>}
      {decisions.map((d, i) => (
        <Decision key={d.id} decision={d} vocabulary={vocabulary} readOnly={readOnly} onChange={(next) => change(i, next)} />
      ))}
    </div>
  );
}

function firstIncomplete(decisions) {
  for (const d of decisions) {
    for (const [n, rule] of d.rules.entries()) {
      const columns = [...d.inputs, ...d.outputs];
      const cells = [...rule.inputs, ...rule.outputs];
      const at = cells.findIndex((c) => !complete(c));
      if (at >= 0) return `「${d.name}」第${n + 1}条的「${columns[at].label}」还没有填写`;
    }
    const unnamed = [...d.inputs, ...d.outputs].find((c) => !/[\u4e00-\u9fff]/.test(c.label || ''));
    if (unnamed !== undefined) return `「${d.name}」有一列还没有中文名称`;
  }
  return null;
}

// A problem naming a rule by its id, said as 第N条 (ids never reach the page).
function namedByRule(e, decisions) {
  const numbers = new Map();
  decisions.forEach((d) => d.rules.forEach((r, n) => r.id && numbers.set(r.id, `「${d.name}」第${n + 1}条`)));
  const errors = (e.errors || []).map((x) => ({ message: `${numbers.get(x.element) || ''}${numbers.has(x.element) ? '：' : ''}${x.message}` }));
  return { title: e.title, problem: { detail: e.problem?.detail || e.message }, errors, status: e.status, message: e.message };
}

function Decision({ decision, vocabulary, onChange, readOnly }) {
  const policy = decision.hit_policies.find((p) => p.value === decision.hit_policy);
  const setRules = (rules) => onChange((d) => ({ ...d, rules }));
  const rules = decision.rules;
  const move = (i, by) => {
    const next = [...rules];
    const [rule] = next.splice(i, 1);
    next.splice(i + by, 0, rule);
    setRules(next);
  };
  const add = () => setRules([...rules, {
    id: null, description: '',
    inputs: decision.inputs.map(() => ANY), outputs: decision.outputs.map((c) => blankResult(c)),
  }]);
  return (
    <section className="dmn-decision" data-testid="dmn-decision">
      <h3>{decision.name}</h3>
      <div className="dmn-policy" data-testid="dmn-hit-policy">
        <label>
          命中规则：
          <select value={decision.hit_policy} disabled={readOnly} aria-label="命中规则"
            onChange={(e) => onChange((d) => ({ ...d, hit_policy: e.target.value }))}>
            {decision.hit_policies.map((p) => <option key={p.value} value={p.value}>{p.name}</option>)}
          </select>
        </label>
        <span className="dmn-policy-sentence">{policy ? policy.sentence : decision.hit_policy_text}</span>
      </div>
      <ColumnsEditor decision={decision} vocabulary={vocabulary} readOnly={readOnly} onChange={(next) => onChange(() => next)} />
      <ol className="dmn-rules">
        {rules.map((rule, i) => (
          <Rule key={rule.id || `new-${i}`} number={i + 1} rule={rule} decision={decision} readOnly={readOnly}
            first={i === 0} last={i === rules.length - 1} onMove={(by) => move(i, by)}
            onRemove={() => setRules(rules.filter((_, j) => j !== i))}
            onChange={(next) => setRules(rules.map((r, j) => (j === i ? next : r)))} />
        ))}
      </ol>
      {!readOnly && <button type="button" className="secondary" data-testid="dmn-add-rule" onClick={add}>＋ 新增规则</button>}
    </section>
  );
}

function Rule({ number, rule, decision, readOnly, first, last, onMove, onRemove, onChange }) {
  const setCell = (side, i, cell) => onChange({ ...rule, [side]: rule[side].map((c, j) => (j === i ? cell : c)) });
  return (
    <li className="dmn-rule" data-testid="dmn-rule" data-rule={number}>
      <div className="dmn-rule-head">
        <strong>第{number}条</strong>
        {!readOnly && (
          <span className="dmn-rule-actions">
            <button type="button" className="link small" disabled={first} onClick={() => onMove(-1)} aria-label={`第${number}条上移`}>上移</button>
            <button type="button" className="link small" disabled={last} onClick={() => onMove(1)} aria-label={`第${number}条下移`}>下移</button>
            <button type="button" className="link small danger-text" onClick={onRemove} aria-label={`删除第${number}条`}>删除</button>
          </span>
        )}
      </div>
      <label className="dmn-basis">
        <span>条文依据</span>
        <textarea rows={1} value={rule.description} disabled={readOnly} aria-label={`第${number}条的条文依据`}
          onChange={(e) => onChange({ ...rule, description: e.target.value })} />
      </label>
      <Group title="条件（同时满足）" side="inputs" columns={decision.inputs} rule={rule} readOnly={readOnly} onCell={setCell} />
      <Group title="结果" side="outputs" columns={decision.outputs} rule={rule} readOnly={readOnly} onCell={setCell} />
    </li>
  );
}

function Group({ title, side, columns, rule, readOnly, onCell }) {
  if (!columns.length) return null;
  return (
    <fieldset className={`dmn-group ${side}`}>
      <legend>{title}</legend>
      <div className="dmn-fields">
        {columns.map((column, i) => (
          <div key={i} className="dmn-field" data-testid="dmn-field" data-column={column.label}>
            <div className="dmn-field-label">{column.label}<span className="muted small">（{column.type_label}）</span></div>
            <CellEditor column={column} cell={rule[side][i]} isInput={side === 'inputs'} readOnly={readOnly}
              onChange={(cell) => onCell(side, i, cell)} />
          </div>
        ))}
      </div>
    </fieldset>
  );
}
