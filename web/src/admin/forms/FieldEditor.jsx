// One field of the form in the owner's words: 标签, 类型, 必填 and 条件必填, 填写说明, 条文依据,
// then the settings of its kind. An advanced field is shown, not edited (the JSON tab edits it).
import React from 'react';
import FieldSettings from './FieldSettings.jsx';
import { CHOOSABLE, KIND_LABELS } from './fieldKinds.js';
import {
  labelOf, setKind, setLabel, setOptional, setRequired, setWhen, triggerValues,
} from './fieldModel.js';

// A regulation split from its text keeps the article's number at the head of the text: said once.
function bodyOf(article) {
  const text = (article.text || '').trim();
  return text.startsWith(article.id) ? text.slice(article.id.length).trim() : text;
}

function ArticlePicker({ model, field, onModel, vocabulary }) {
  const articles = vocabulary?.articles || [];
  const chosen = field.prop['x-article'] || '';
  const known = articles.find((a) => a.id === chosen);
  // The bundles cite an article at the head of a field's description (「四（一）：…」).
  const cited = articles.filter((a) => a.id && (field.prop.description || '').startsWith(a.id))
    .sort((a, b) => b.id.length - a.id.length)[0];
  return (
    <div data-testid="article-picker">
      <label className="field">条文依据
        <select aria-label="条文依据" value={chosen} onChange={(e) => onModel(setOptional(model, field.key, 'x-article', e.target.value || undefined))}>
          <option value="">（未选择）</option>
          {articles.map((a) => <option key={a.id} value={a.id}>{a.id}　{bodyOf(a).slice(0, 40)}</option>)}
          {chosen && !known && <option value={chosen}>{chosen}</option>}
        </select>
      </label>
      {known && <blockquote className="designer-article" data-testid="article-text">{known.id}　{bodyOf(known)}</blockquote>}
      {!chosen && cited && <div className="muted small">填写说明引用了 {cited.id}，可在上方选定为条文依据。</div>}
      {!articles.length && <div className="muted small">法规原文尚未分条，可先在“法规原文”中粘贴条文。</div>}
    </div>
  );
}

// 条件必填: required when another field (a choice or a yes/no) has a given value.
function WhenPicker({ model, field, onModel }) {
  const triggers = model.fields.filter((f) => f.key !== field.key && triggerValues(f).length);
  const when = field.when;
  const trigger = triggers.find((f) => f.key === when?.field);
  const values = triggerValues(trigger);
  const pick = (key) => {
    const first = triggerValues(model.fields.find((f) => f.key === key))[0];
    onModel(setWhen(model, field.key, key ? { field: key, value: first.value } : null));
  };
  if (!triggers.length && !when) return null;
  if (when && !trigger) {
    const other = model.fields.find((f) => f.key === when.field);
    return (
      <div className="designer-when muted" data-testid="when-picker">
        条件必填：当“{other ? labelOf(other.kind, other.prop?.title) : '（已删除的字段）'}”为指定值时必填（条件在 JSON 中编辑）
        <button type="button" className="secondary small" onClick={() => onModel(setWhen(model, field.key, null))}>取消条件</button>
      </div>
    );
  }
  return (
    <div className="designer-when" data-testid="when-picker">
      <span>条件必填：当</span>
      <select aria-label="条件必填的字段" value={when?.field || ''} onChange={(e) => pick(e.target.value)}>
        <option value="">（无条件）</option>
        {triggers.map((f) => <option key={f.key} value={f.key}>{labelOf(f.kind, f.prop.title)}</option>)}
      </select>
      {trigger && (
        <>
          <span>为</span>
          <select aria-label="条件必填的取值" value={String(when.value)}
            onChange={(e) => onModel(setWhen(model, field.key, { field: when.field, value: values.find((v) => String(v.value) === e.target.value).value }))}>
            {values.map((v) => <option key={String(v.value)} value={String(v.value)}>{v.label}</option>)}
          </select>
          <span>时必填</span>
        </>
      )}
    </div>
  );
}

export default function FieldEditor({ model, field, onModel, vocabulary }) {
  const advanced = field.kind === 'advanced';
  return (
    <div className="card designer-editor" data-testid="field-editor">
      {advanced ? (
        <>
          <h3>{field.prop?.title || '（无标签）'}</h3>
          <p className="sev-warning" data-testid="advanced-field">高级字段（在 JSON 中编辑）：此字段的设置超出设计器的范围，保存时原样保留。</p>
        </>
      ) : (
        <>
          <label className="field">标签
            <input aria-label="标签" value={labelOf(field.kind, field.prop.title)} onChange={(e) => onModel(setLabel(model, field.key, e.target.value))} />
          </label>
          <label className="field">类型
            <select aria-label="类型" value={field.kind} onChange={(e) => onModel(setKind(model, field.key, e.target.value))}>
              {CHOOSABLE.map((k) => <option key={k} value={k}>{KIND_LABELS[k]}</option>)}
            </select>
          </label>
          <label className="inline designer-check">
            <input type="checkbox" aria-label="必填" checked={field.required} onChange={(e) => onModel(setRequired(model, field.key, e.target.checked))} />
            必填
          </label>
          <WhenPicker model={model} field={field} onModel={onModel} />
          <label className="field">填写说明
            <textarea aria-label="填写说明" rows={2} value={field.prop.description || ''}
              onChange={(e) => onModel(setOptional(model, field.key, 'description', e.target.value || undefined))} />
          </label>
          <ArticlePicker model={model} field={field} onModel={onModel} vocabulary={vocabulary} />
          <FieldSettings model={model} field={field} onModel={onModel} vocabulary={vocabulary} />
        </>
      )}
    </div>
  );
}
