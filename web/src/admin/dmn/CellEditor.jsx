import React from 'react';
import { ANY, UNIT, comparisons, withComparison } from './cells.js';

// One cell of a rule, edited as the owner reads it: a condition's comparison picked from a list
// (低于/不低于/介于…), amounts in 万元, choices ticked by their names, 是/否, dates by a date
// picker; a result as its value. A cell the server could not put in words keeps its expression
// in a folded 专家 field.
export default function CellEditor({ column, cell, isInput, onChange, readOnly }) {
  if (cell.op === 'raw') return <RawCell cell={cell} column={column} isInput={isInput} onChange={onChange} readOnly={readOnly} />;
  return isInput
    ? <Condition column={column} cell={cell} onChange={onChange} readOnly={readOnly} />
    : <Result column={column} cell={cell} onChange={onChange} readOnly={readOnly} />;
}

function Condition({ column, cell, onChange, readOnly }) {
  if (column.type === 'boolean') return <YesNoCondition column={column} cell={cell} onChange={onChange} readOnly={readOnly} />;
  const ops = comparisons(column.type);
  return (
    <div className="dmn-cell">
      <select aria-label={`${column.label}的比较方式`} data-testid="cell-op" value={cell.op} disabled={readOnly}
        onChange={(e) => onChange(withComparison(cell, e.target.value, column))}>
        {ops.map(([op, words]) => <option key={op} value={op}>{words}</option>)}
      </select>
      {cell.op !== 'any' && <Values column={column} cell={cell} onChange={onChange} readOnly={readOnly} />}
    </div>
  );
}

function Values({ column, cell, onChange, readOnly }) {
  const set = (i, v) => onChange({ ...cell, values: cell.values.map((old, j) => (j === i ? v : old)) });
  if (column.type === 'choice') return <Choices column={column} cell={cell} onChange={onChange} readOnly={readOnly} />;
  if (cell.op === 'between') {
    return (
      <span className="dmn-between">
        <Scalar column={column} value={cell.values[0]} onChange={(v) => set(0, v)} readOnly={readOnly} label="下限" />
        <span>至</span>
        <Scalar column={column} value={cell.values[1]} onChange={(v) => set(1, v)} readOnly={readOnly} label="上限" />
        <span className="muted small">（含两端）</span>
      </span>
    );
  }
  return <Scalar column={column} value={cell.values[0]} onChange={(v) => set(0, v)} readOnly={readOnly} label={column.label} />;
}

function Scalar({ column, value, onChange, readOnly, label }) {
  if (column.type === 'date') {
    return <input type="date" aria-label={label} value={value || ''} disabled={readOnly} onChange={(e) => onChange(e.target.value || null)} />;
  }
  if (column.type === 'amount' || column.type === 'number') {
    return (
      <span className="dmn-number">
        <input type="number" step="any" min={column.type === 'amount' ? 0 : undefined} aria-label={label} disabled={readOnly}
          value={value ?? ''} onChange={(e) => onChange(e.target.value === '' ? null : Number(e.target.value))} />
        {UNIT[column.type] && <span className="unit">{UNIT[column.type]}</span>}
      </span>
    );
  }
  return <input type="text" aria-label={label} value={value ?? ''} disabled={readOnly} onChange={(e) => onChange(e.target.value)} />;
}

function YesNo({ value, onChange, readOnly, label, empty }) {
  const current = value === true ? 'yes' : value === false ? 'no' : '';
  return (
    <select aria-label={label} value={current} disabled={readOnly}
      onChange={(e) => onChange(e.target.value === 'yes' ? true : e.target.value === 'no' ? false : null)}>
      {empty && <option value="">空</option>}
      <option value="yes">是</option>
      <option value="no">否</option>
    </select>
  );
}

// 任意 / 是 / 否 in one list: a yes-or-no condition needs no separate comparison.
function YesNoCondition({ column, cell, onChange, readOnly }) {
  const current = cell.op === 'any' ? 'any' : cell.values[0] === true ? 'yes' : 'no';
  const pick = (v) => onChange(v === 'any' ? ANY : { op: 'eq', values: [v === 'yes'] });
  return (
    <div className="dmn-cell">
      <select aria-label={column.label} data-testid="cell-op" value={current} disabled={readOnly} onChange={(e) => pick(e.target.value)}>
        <option value="any">任意</option>
        <option value="yes">是</option>
        <option value="no">否</option>
      </select>
    </div>
  );
}

function Choices({ column, cell, onChange, readOnly }) {
  const chosen = new Set(cell.values.map((v) => JSON.stringify(v)));
  const toggle = (value) => {
    const key = JSON.stringify(value);
    const values = chosen.has(key) ? cell.values.filter((v) => JSON.stringify(v) !== key) : [...cell.values, value];
    onChange({ ...cell, values });
  };
  return (
    <span className="dmn-choices" role="group" aria-label={`${column.label}的取值`}>
      {column.options.map((o) => (
        <label key={JSON.stringify(o.value)} className="dmn-choice">
          <input type="checkbox" checked={chosen.has(JSON.stringify(o.value))} disabled={readOnly} onChange={() => toggle(o.value)} />
          {o.label}
        </label>
      ))}
    </span>
  );
}

function Result({ column, cell, onChange, readOnly }) {
  const value = cell.op === 'eq' ? cell.values[0] : null;
  const set = (v) => onChange(v === null || v === '' ? { op: 'none', values: [] } : { op: 'eq', values: [v] });
  if (column.type === 'choice') {
    const key = value === null ? '' : JSON.stringify(value);
    return (
      <select aria-label={column.label} value={key} disabled={readOnly}
        onChange={(e) => set(e.target.value === '' ? null : JSON.parse(e.target.value))}>
        <option value="">空</option>
        {column.options.map((o) => <option key={JSON.stringify(o.value)} value={JSON.stringify(o.value)}>{o.label}</option>)}
      </select>
    );
  }
  if (column.type === 'boolean') return <YesNo value={value} onChange={set} readOnly={readOnly} label={column.label} empty />;
  if (column.type === 'text') {
    return <textarea aria-label={column.label} rows={2} value={value ?? ''} disabled={readOnly} onChange={(e) => set(e.target.value)} />;
  }
  return <Scalar column={column} value={value} onChange={set} readOnly={readOnly} label={column.label} />;
}

function RawCell({ cell, column, isInput, onChange, readOnly }) {
  return (
    <div className="dmn-cell raw">
      <span className="badge amber">无法用文字表示</span>
      {!readOnly && (
        <button type="button" className="link small" onClick={() => onChange(isInput ? ANY : { op: 'none', values: [] })}>
          改为按文字填写
        </button>
      )}
      <details className="dmn-expert">
        <summary>专家</summary>
        <textarea aria-label={`${column.label}（专家表达式）`} rows={2} value={cell.text || ''} disabled={readOnly}
          onChange={(e) => onChange({ op: 'raw', values: [], text: e.target.value })} />
      </details>
    </div>
  );
}
