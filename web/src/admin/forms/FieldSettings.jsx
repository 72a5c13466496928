// The settings of one kind of field: options of a choice, 是/否 wording, file types and size of
// a document, which directory a choice comes from. Each change is an edit of the model
// (fieldModel.js) handed to `onModel`.
import React from 'react';
import {
  DIRECTORY_LABELS, FILE_TYPES, MAX_BYTES_CAP, settingsNode,
} from './fieldKinds.js';
import { editProperty, setMultiple, setOptional, setSetting, setUiWidget } from './fieldModel.js';

const MB = 1024 * 1024;

function NumberInput({ label, value, onChange, min }) {
  return (
    <label className="field">{label}
      <input type="number" aria-label={label} value={value ?? ''} min={min}
        onChange={(e) => onChange(e.target.value === '' ? undefined : Math.trunc(Number(e.target.value)))} />
    </label>
  );
}

function Check({ label, checked, onChange, disabled }) {
  return (
    <label className="inline designer-check">
      <input type="checkbox" aria-label={label} checked={Boolean(checked)} disabled={disabled} onChange={(e) => onChange(e.target.checked)} />
      {label}
    </label>
  );
}

function Informational({ model, field, onModel }) {
  const reason = field.prop['x-informational'];
  return (
    <>
      <Check label="仅作记录（不影响流转）" checked={reason !== undefined}
        onChange={(on) => onModel(setOptional(model, field.key, 'x-informational', on ? '仅作记录' : undefined))} />
      {reason !== undefined && (
        <label className="field">仅作记录的理由（引用条文，说明为何不影响流转）
          <input aria-label="仅作记录的理由" value={reason}
            onChange={(e) => onModel(setOptional(model, field.key, 'x-informational', e.target.value || '仅作记录'))} />
        </label>
      )}
    </>
  );
}

// The next free option code: codes stay hidden, officials see the labels.
function nextCode(options) {
  const taken = new Set(options.map((o) => o.const));
  for (let n = options.length + 1; ; n += 1) if (!taken.has(`option_${n}`)) return `option_${n}`;
}

function ChoiceSettings({ model, field, onModel }) {
  const multiple = field.prop.type === 'array';
  const options = settingsNode(field.prop).oneOf || [];
  const edit = (change) => onModel(editProperty(model, field.key, (p) => { change(settingsNode(p).oneOf); }));
  return (
    <div data-testid="choice-options">
      <div className="designer-subtitle">选项列表</div>
      {options.map((o, i) => (
        <div className="designer-option" key={o.const}>
          <input aria-label={`选项 ${i + 1}`} value={o.title} onChange={(e) => { const v = e.target.value; edit((list) => { list[i].title = v; }); }} />
          <button type="button" className="secondary small" disabled={options.length < 2} onClick={() => edit((list) => { list.splice(i, 1); })}>删除选项</button>
        </div>
      ))}
      <button type="button" className="secondary small"
        onClick={() => edit((list) => { list.push({ const: nextCode(list), title: `选项${list.length + 1}` }); })}>＋ 添加选项</button>
      <Check label="可多选" checked={multiple} onChange={(on) => onModel(setMultiple(model, field.key, on))} />
      {!multiple && (
        <>
          <Check label="这是审核结论（审批单中作为结论显示）" checked={field.prop['x-role'] === 'decision'}
            onChange={(on) => onModel(setOptional(model, field.key, 'x-role', on ? 'decision' : undefined))} />
          <Check label="以单选按钮显示" checked={field.ui?.['ui:widget'] === 'radio'}
            onChange={(on) => onModel(setUiWidget(model, field.key, on ? 'radio' : undefined))} />
          <Informational model={model} field={field} onModel={onModel} />
        </>
      )}
    </div>
  );
}

function BooleanSettings({ model, field, onModel }) {
  const oneOf = field.prop.oneOf || [];
  const title = (value) => oneOf.find((o) => o.const === value)?.title ?? '';
  const setTitle = (value, text) => onModel(editProperty(model, field.key, (p) => {
    const list = p.oneOf || [{ const: true, title: '是' }, { const: false, title: '否' }];
    const entry = list.find((o) => o.const === value);
    if (entry) entry.title = text; else list.push({ const: value, title: text });
    p.oneOf = list;
  }));
  return (
    <div>
      <label className="field">选“是”时显示<input aria-label="选“是”时显示" value={title(true)} onChange={(e) => setTitle(true, e.target.value)} /></label>
      {oneOf.some((o) => o.const === false) && (
        <label className="field">选“否”时显示<input aria-label="选“否”时显示" value={title(false)} onChange={(e) => setTitle(false, e.target.value)} /></label>
      )}
      <Check label="必须选“是”方可提交" checked={field.prop.const === true}
        onChange={(on) => onModel(setOptional(model, field.key, 'const', on ? true : undefined))} />
      <Informational model={model} field={field} onModel={onModel} />
    </div>
  );
}

function AttachmentSettings({ model, field, onModel }) {
  const marker = settingsNode(field.prop)['x-attachment'] || {};
  const accept = marker.accept || [];
  const setMarker = (next) => onModel(setSetting(model, field.key, 'x-attachment', { ...marker, ...next }));
  const toggle = (type, on) => {
    const rest = accept.filter((a) => !type.accept.includes(a));
    const next = on ? [...rest, ...type.accept] : rest;
    if (next.length) setMarker({ accept: next });
  };
  const others = accept.filter((a) => !FILE_TYPES.some((t) => t.accept.includes(a)));
  return (
    <div data-testid="attachment-settings">
      <div className="designer-subtitle">允许的文件类型</div>
      {FILE_TYPES.map((t) => (
        <Check key={t.label} label={t.label} checked={t.accept.every((a) => accept.includes(a))} onChange={(on) => toggle(t, on)} />
      ))}
      {others.length > 0 && <div className="muted small">另允许：{others.join('、')}</div>}
      <NumberInput label="单个文件大小上限（MB）" min={1} value={marker.maxBytes ? Math.round(marker.maxBytes / MB) : ''}
        onChange={(v) => setMarker({ maxBytes: v ? Math.min(Math.max(v, 1) * MB, MAX_BYTES_CAP) : undefined })} />
      <div className="muted small">上限为 {MAX_BYTES_CAP / MB} MB。</div>
      <Check label="可上传多份" checked={field.prop.type === 'array'} onChange={(on) => onModel(setMultiple(model, field.key, on))} />
    </div>
  );
}

function DirectorySettings({ model, field, onModel, vocabulary }) {
  const node = settingsNode(field.prop);
  const roles = vocabulary?.roles || [];
  const role = node['x-directory-role'];
  return (
    <div data-testid="directory-settings">
      <label className="field">从名录选择
        <select aria-label="从名录选择" value={node['x-directory']} onChange={(e) => onModel(setSetting(model, field.key, 'x-directory', e.target.value))}>
          {Object.entries(DIRECTORY_LABELS).map(([k, label]) => <option key={k} value={k}>{label}</option>)}
        </select>
      </label>
      <label className="field">限定角色
        <select aria-label="限定角色" value={role || ''} onChange={(e) => onModel(setSetting(model, field.key, 'x-directory-role', e.target.value || undefined))}>
          <option value="">不限（本辖区全部）</option>
          {roles.map((r) => <option key={r.id} value={r.id}>{r.name}</option>)}
          {role && !roles.some((r) => r.id === role) && <option value={role}>（名录中没有的角色）</option>}
        </select>
      </label>
      <Check label="可多选" checked={field.prop.type === 'array'} onChange={(on) => onModel(setMultiple(model, field.key, on))} />
    </div>
  );
}

function TextSettings({ model, field, onModel }) {
  return (
    <div>
      <NumberInput label="最多字数（可空）" min={1} value={field.prop.maxLength}
        onChange={(v) => onModel(setOptional(model, field.key, 'maxLength', v))} />
      {field.kind === 'textarea' && (
        <Check label="这是审核意见（可选用常用意见，审批单中作为意见显示）" checked={field.prop['x-role'] === 'opinion'}
          onChange={(on) => onModel(setOptional(model, field.key, 'x-role', on ? 'opinion' : undefined))} />
      )}
    </div>
  );
}

function NumberSettings({ model, field, onModel }) {
  const unit = field.kind === 'amount' ? '（元）' : '';
  return (
    <div>
      <NumberInput label={`最小值${unit}`} value={field.prop.minimum} onChange={(v) => onModel(setOptional(model, field.key, 'minimum', v))} />
      <NumberInput label={`最大值${unit}（可空）`} value={field.prop.maximum} onChange={(v) => onModel(setOptional(model, field.key, 'maximum', v))} />
      {field.kind === 'amount' && <div className="muted small">金额以元保存，填写时旁边显示折合万元。</div>}
    </div>
  );
}

const SETTINGS = {
  text: TextSettings, textarea: TextSettings, amount: NumberSettings, integer: NumberSettings,
  choice: ChoiceSettings, boolean: BooleanSettings, attachment: AttachmentSettings, directory: DirectorySettings,
};

export default function FieldSettings(props) {
  const Settings = SETTINGS[props.field.kind];
  return Settings ? <Settings {...props} /> : null;
}
