import React, { useState } from 'react';
import AmountMeaning, { meaningReady, withMeaning } from './AmountMeaning.jsx';
import { ANY, blankResult } from './cells.js';

// The columns of a decision table in words: each condition names the data item it judges (picked
// by its Chinese name from the draft's fields), each result its name and kind; columns are added,
// renamed, reordered and removed, and every rule's cells move with them.
export const KINDS = [
  ['choice', '选项'], ['amount', '金额（万元）'], ['number', '数字'], ['boolean', '是/否'], ['date', '日期'], ['text', '文字'],
];
const RESULT_KINDS = KINDS.filter(([k]) => k !== 'choice');

export function optionsOf(vocabulary, variable) {
  return (vocabulary?.choices || []).find((c) => c.name === variable)?.options || [];
}

// A condition column for a field of the draft: its label, kind and (for a choice) options.
export function conditionFor(field, vocabulary) {
  return { id: null, label: field.label.replace(/（元）$/, ''), variable: field.name, type: field.type,
    type_label: KINDS.find(([k]) => k === field.type)?.[1] || '', options: optionsOf(vocabulary, field.name) };
}

function resultColumn(label, type) {
  return { id: null, label, variable: null, type, type_label: KINDS.find(([k]) => k === type)?.[1] || '', options: [] };
}

// The decision with one side's columns changed by `edit(columns) -> {columns, cells(rowCells) -> rowCells}`.
function withColumns(decision, side, columns, cells) {
  return { ...decision, [side]: columns, rules: decision.rules.map((r) => ({ ...r, [side]: cells(r[side]) })) };
}

export default function ColumnsEditor({ decision, vocabulary, onChange, readOnly }) {
  const [field, setField] = useState('');
  const [amount, setAmount] = useState({});
  const [result, setResult] = useState({ label: '', type: 'boolean' });
  const fields = vocabulary?.fields || [];
  const picked = fields.find((f) => f.name === field);
  const blank = (side, column) => (side === 'inputs' ? ANY : blankResult(column));

  const move = (side, i, by) => {
    const order = decision[side].map((_, j) => j);
    const [k] = order.splice(i, 1);
    order.splice(i + by, 0, k);
    onChange(withColumns(decision, side, order.map((j) => decision[side][j]), (cells) => order.map((j) => cells[j])));
  };
  const remove = (side, i) => onChange(withColumns(decision, side, decision[side].filter((_, j) => j !== i),
    (cells) => cells.filter((_, j) => j !== i)));
  const add = (side, column) => onChange(withColumns(decision, side, [...decision[side], column],
    (cells) => [...cells, blank(side, column)]));
  const rename = (side, i, label) => onChange({ ...decision, [side]: decision[side].map((c, j) => (j === i ? { ...c, label } : c)) });
  const retype = (side, i, type) => {
    const column = { ...decision[side][i], type, type_label: KINDS.find(([k]) => k === type)?.[1] || '' };
    onChange(withColumns(decision, side, decision[side].map((c, j) => (j === i ? column : c)),
      (cells) => cells.map((c, j) => (j === i ? blank(side, column) : c))));
  };

  const row = (side, column, i, list) => (
    <li key={column.id || `new-${side}-${i}`} className="dmn-column" data-testid="dmn-column">
      <input type="text" value={column.label} disabled={readOnly} aria-label={`${side === 'inputs' ? '条件' : '结果'}第${i + 1}列的名称`}
        onChange={(e) => rename(side, i, e.target.value)} />
      <select value={column.type} disabled={readOnly || (side === 'inputs' && column.type === 'choice')} aria-label="类型"
        onChange={(e) => retype(side, i, e.target.value)}>
        {(side === 'inputs' ? KINDS : RESULT_KINDS.concat(column.type === 'choice' ? [['choice', '选项']] : []))
          .map(([k, words]) => <option key={k} value={k}>{words}</option>)}
      </select>
      {!readOnly && (
        <span className="dmn-rule-actions">
          <button type="button" className="link small" disabled={i === 0} onClick={() => move(side, i, -1)}>左移</button>
          <button type="button" className="link small" disabled={i === list.length - 1} onClick={() => move(side, i, 1)}>右移</button>
          <button type="button" className="link small danger-text" disabled={side === 'inputs' && list.length === 1}
            onClick={() => remove(side, i)}>删除此列</button>
        </span>
      )}
    </li>
  );

  return (
    <details className="dmn-columns" data-testid="dmn-columns">
      <summary>条件列与结果列（{decision.inputs.length} 个条件，{decision.outputs.length} 个结果）</summary>
      <div className="dmn-columns-body">
        <h4>条件</h4>
        <ol>{decision.inputs.map((c, i, list) => row('inputs', c, i, list))}</ol>
        {!readOnly && (
          <div className="dmn-add-column">
            <select value={field} onChange={(e) => { setField(e.target.value); setAmount({}); }} aria-label="新条件判断的数据项">
              <option value="">选择数据项…</option>
              {fields.map((f) => <option key={f.name} value={f.name}>{f.label}</option>)}
            </select>
            <AmountMeaning field={picked} vocabulary={vocabulary} value={amount} onChange={setAmount} />
            <button type="button" className="secondary small" disabled={!field || !meaningReady(picked, amount)} data-testid="dmn-add-condition"
              onClick={() => { add('inputs', withMeaning(conditionFor(picked, vocabulary), picked, amount)); setField(''); }}>
              ＋ 条件列
            </button>
          </div>
        )}
        <h4>结果</h4>
        <ol>{decision.outputs.map((c, i, list) => row('outputs', c, i, list))}</ol>
        {!readOnly && (
          <div className="dmn-add-column">
            <input type="text" placeholder="结果名称，如：须专家评审" value={result.label} aria-label="新结果的名称"
              onChange={(e) => setResult({ ...result, label: e.target.value })} />
            <select value={result.type} onChange={(e) => setResult({ ...result, type: e.target.value })} aria-label="新结果的类型">
              {RESULT_KINDS.map(([k, words]) => <option key={k} value={k}>{words}</option>)}
            </select>
            <button type="button" className="secondary small" disabled={!result.label.trim()} data-testid="dmn-add-result"
              onClick={() => { add('outputs', resultColumn(result.label.trim(), result.type)); setResult({ label: '', type: 'boolean' }); }}>
              ＋ 结果列
            </button>
          </div>
        )}
      </div>
    </details>
  );
}
