// The fields of the form in the order staff see them: pick one to edit, move it, remove it, or
// add a new one of a kind.
import React, { useState } from 'react';
import { CHOOSABLE, KIND_LABELS } from './fieldKinds.js';
import { labelOf } from './fieldModel.js';

export default function FieldList({ fields, selected, onSelect, onMove, onRemove, onAdd, readOnly }) {
  const [kind, setKind] = useState('text');
  const [label, setLabel] = useState('');
  const add = (e) => {
    e.preventDefault();
    if (!label.trim()) return;
    onAdd(kind, label.trim());
    setLabel('');
  };
  return (
    <div className="card designer-fields" data-testid="field-list">
      <h3>字段（{fields.length} 个）</h3>
      <ol className="designer-list">
        {fields.map((f, i) => (
          <li key={f.key} className={f.key === selected ? 'active' : ''} data-testid="designer-field">
            <button type="button" className="link designer-pick" onClick={() => onSelect(f.key)}>
              {labelOf(f.kind, f.prop?.title) || '（无标签）'}
            </button>
            <span className="muted small">{KIND_LABELS[f.kind]}</span>
            {f.required && <span className="badge red">必填</span>}
            {f.when && <span className="badge amber">条件必填</span>}
            {!readOnly && (
              <span className="designer-row-actions">
                <button type="button" className="secondary small" aria-label="上移" disabled={i === 0} onClick={() => onMove(f.key, -1)}>上移</button>
                <button type="button" className="secondary small" aria-label="下移" disabled={i === fields.length - 1} onClick={() => onMove(f.key, 1)}>下移</button>
                <button type="button" className="secondary small danger-text" aria-label="删除字段"
                  onClick={() => { if (window.confirm(`删除字段“${labelOf(f.kind, f.prop?.title)}”？`)) onRemove(f.key); }}>删除</button>
              </span>
            )}
          </li>
        ))}
      </ol>
      {!readOnly && (
        <form className="designer-add" onSubmit={add}>
          <input aria-label="新字段的标签" placeholder="新字段的标签，如：项目名称" value={label} onChange={(e) => setLabel(e.target.value)} />
          <select aria-label="新字段的类型" value={kind} onChange={(e) => setKind(e.target.value)}>
            {CHOOSABLE.map((k) => <option key={k} value={k}>{KIND_LABELS[k]}</option>)}
          </select>
          <button type="submit" className="secondary" disabled={!label.trim()}>添加字段</button>
        </form>
      )}
    </div>
  );
}
