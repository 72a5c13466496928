import React, { useEffect, useState } from 'react';
import { api } from '../../api.js';
import { ProblemBox } from '../common.jsx';
import AmountMeaning, { meaningReady, withMeaning } from './AmountMeaning.jsx';
import { KINDS, conditionFor } from './ColumnsEditor.jsx';

// 新建决策表 in words (POST /drafts/{id}/decisions): its name, the data item its first condition
// judges (picked by its Chinese name) and its first result; the rules and further columns are
// then set in the table's words editor. Props {draftId, revision, onCreated(draftDetail, path),
// onCancel}. For the modeler to show beside its tabs.
export default function NewDecisionTable({ draftId, revision, onCreated, onCancel }) {
  const [vocabulary, setVocabulary] = useState(null);
  const [form, setForm] = useState({ name: '', field: '', result: '', type: 'boolean', amount: {} });
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => { api.get(`/drafts/${draftId}/words`).then(setVocabulary).catch(setError); }, [draftId]);

  const fields = vocabulary?.fields || [];
  const picked = fields.find((f) => f.name === form.field);
  const ready = form.name.trim() && form.field && form.result.trim() && meaningReady(picked, form.amount);
  const create = async (e) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const condition = conditionFor(picked, vocabulary);
      const detail = await api.post(`/drafts/${draftId}/decisions`, {
        revision, name: form.name.trim(),
        inputs: [withMeaning({ label: condition.label, variable: condition.variable, type: condition.type }, picked, form.amount)],
        outputs: [{ label: form.result.trim(), type: form.type }],
      });
      onCreated?.(detail, detail.path);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form className="card dmn-new-table" data-testid="dmn-new-table" onSubmit={create}>
      <h3>新建决策表</h3>
      <label className="inline">名称 <input type="text" value={form.name} aria-label="决策表名称" placeholder="如：专家评审要求"
        onChange={(e) => setForm({ ...form, name: e.target.value })} /></label>
      <label className="inline">按什么判断 <select value={form.field} aria-label="判断的数据项" onChange={(e) => setForm({ ...form, field: e.target.value })}>
        <option value="">选择数据项…</option>
        {fields.map((f) => <option key={f.name} value={f.name}>{f.label}</option>)}
      </select></label>
      <AmountMeaning field={picked} vocabulary={vocabulary} value={form.amount} onChange={(amount) => setForm({ ...form, amount })} />
      <label className="inline">得出什么 <input type="text" value={form.result} aria-label="结果名称" placeholder="如：须专家评审"
        onChange={(e) => setForm({ ...form, result: e.target.value })} /></label>
      <label className="inline">结果类型 <select value={form.type} aria-label="结果类型" onChange={(e) => setForm({ ...form, type: e.target.value })}>
        {KINDS.filter(([k]) => k !== 'choice').map(([k, words]) => <option key={k} value={k}>{words}</option>)}
      </select></label>
      <div className="toolbar">
        <button type="submit" disabled={!ready || busy}>{busy ? '正在创建…' : '创建'}</button>
        {onCancel && <button type="button" className="secondary" onClick={onCancel}>取消</button>}
      </div>
      <ProblemBox error={error} testid="dmn-new-table-problem" />
    </form>
  );
}
