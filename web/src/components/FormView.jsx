// A form rendered by @rjsf/core from a JSON Schema + uiSchema, in Chinese.
//
// <FormView schema uiSchema formData onSubmit={(data) => …} error={apiError}
//           taskId | processKey   (where attachments are uploaded: a task's form or a start form)
//           submitText="提交" readOnly busy extraActions={<button …/>} onChange={(data) => …} />
//
// Validation is the server's: the browser does not validate (noValidate, no HTML5 checks), and
// the 422 problem's `errors: [{field, message}]` (field "a/b/0") are shown on the fields they
// name (rjsf extraErrors); messages naming no field go to the box above the buttons.
import React, { useEffect, useMemo, useRef, useState } from 'react';
import Form from '@rjsf/core';
import { customizeValidator } from '@rjsf/validator-ajv8';
import { TranslatableString, getTemplate, getUiOptions, replaceStringParameters } from '@rjsf/utils';
import { AttachmentListField, AttachmentWidget } from './AttachmentWidget.jsx';
import OpinionWidget, { rememberOpinions } from './OpinionWidget.jsx';
import { AmountTemplate, ChineseDateWidget } from './ChineseInputs.jsx';
import { isAttachmentArraySchema, isAttachmentSchema } from './attachments.js';
import { ProblemBox } from './ui.jsx';

const validator = customizeValidator({ customFormats: { attachment: /^[0-9a-f]{32}$/ } });

const ZH = {
  [TranslatableString.ArrayItemTitle]: '条目',
  [TranslatableString.MissingItems]: '缺少条目定义',
  [TranslatableString.EmptyArray]: '暂无条目，点击下方按钮添加。',
  [TranslatableString.YesLabel]: '是',
  [TranslatableString.NoLabel]: '否',
  [TranslatableString.CloseLabel]: '关闭',
  [TranslatableString.ErrorsLabel]: '错误',
  [TranslatableString.NewStringDefault]: '新值',
  [TranslatableString.AddButton]: '添加',
  [TranslatableString.AddItemButton]: '添加条目',
  [TranslatableString.CopyButton]: '复制',
  [TranslatableString.ExpandButton]: '展开',
  [TranslatableString.MoveDownButton]: '下移',
  [TranslatableString.MoveUpButton]: '上移',
  [TranslatableString.RemoveButton]: '删除',
  [TranslatableString.NowLabel]: '现在',
  [TranslatableString.ClearLabel]: '清除',
  [TranslatableString.AriaDateLabel]: '选择日期',
  [TranslatableString.PreviewLabel]: '预览',
  [TranslatableString.DecrementAriaLabel]: '减 1',
  [TranslatableString.IncrementAriaLabel]: '加 1',
  [TranslatableString.OptionalObjectAdd]: '填写此可选项',
  [TranslatableString.OptionalObjectRemove]: '清除此可选项',
  [TranslatableString.OptionalObjectEmptyMsg]: '此可选项未填写',
  [TranslatableString.Type]: '类型',
  [TranslatableString.Value]: '值',
  [TranslatableString.ClearButton]: '清空',
  [TranslatableString.UnknownFieldType]: '未知的字段类型 %1',
  [TranslatableString.OptionPrefix]: '选项 %1',
  [TranslatableString.TitleOptionPrefix]: '%1 选项 %2',
  [TranslatableString.KeyLabel]: '%1 键',
  [TranslatableString.DeprecatedLabel]: '%1（已停用）',
  [TranslatableString.CycleDetected]: '字段“%1”存在循环引用',
  [TranslatableString.InvalidObjectField]: '字段“%1”配置无效：_%2_',
  [TranslatableString.UnsupportedField]: '不支持的字段定义。',
  [TranslatableString.UnsupportedFieldWithId]: '字段 `%1` 的定义不受支持。',
  [TranslatableString.UnsupportedFieldWithReason]: '不支持的字段定义：_%1_。',
  [TranslatableString.UnsupportedFieldWithIdAndReason]: '字段 `%1` 的定义不受支持：_%2_。',
  [TranslatableString.FilesInfo]: '**%1**（%2，%3 字节）',
};

export function translateString(key, params) {
  return replaceStringParameters(ZH[key] ?? key, params);
}

function FieldErrorTemplate({ errors, fieldPathId }) {
  const list = (errors || []).filter(Boolean);
  if (!list.length) return null;
  return (
    <div id={fieldPathId ? `${fieldPathId.$id}__error` : undefined} className="field-errors">
      {list.map((e, i) => <div key={i} className="field-error" role="alert" data-testid="field-error">{e}</div>)}
    </div>
  );
}

// Never preselect the first option of a choice (a const in oneOf is not a default): an
// official must pick 通过 / 退回 / 涉密 … deliberately.
const DEFAULTS = {
  constAsDefaults: 'never', requiredBooleanDefault: 'skip', emptyObjectFields: 'populateRequiredDefaults',
  arrayMinItems: { populate: 'never' },
};

// As rjsf's own, but the required mark is aria-hidden so that a field's accessible name is
// its title alone (「项目名称」, not 「项目名称*」) for screen readers and tests.
function FieldTemplate(props) {
  const { id, label, children, errors, help, description, hidden, required, displayLabel, registry, uiSchema } = props;
  const uiOptions = getUiOptions(uiSchema);
  const WrapIfAdditionalTemplate = getTemplate('WrapIfAdditionalTemplate', registry, uiOptions);
  if (hidden) return <div className="hidden">{children}</div>;
  const isCheckbox = uiOptions.widget === 'checkbox';
  return (
    <WrapIfAdditionalTemplate {...props}>
      {displayLabel && !isCheckbox && label && (
        <label className="control-label" htmlFor={id}>
          {label}{required && <span className="required" aria-hidden="true">*</span>}
        </label>
      )}
      {displayLabel && description ? description : null}
      {children}
      {errors}
      {help}
    </WrapIfAdditionalTemplate>
  );
}

// rjsf's array buttons are glyph icons (no icon font here): text buttons in Chinese instead.
function textButton(label, className = 'secondary small') {
  return function TextButton({ id, onClick, disabled }) {
    return <button type="button" id={id} className={className} onClick={onClick} disabled={disabled}>{label}</button>;
  };
}
function AddButton({ id, onClick, disabled }) {
  return (
    <div className="array-add">
      <button type="button" id={id} className="secondary small" onClick={onClick} disabled={disabled}>＋ 添加一项</button>
    </div>
  );
}
const ButtonTemplates = {
  AddButton,
  RemoveButton: textButton('删除', 'secondary small danger-text'),
  MoveUpButton: textButton('上移'),
  MoveDownButton: textButton('下移'),
  CopyButton: textButton('复制'),
  ClearButton: textButton('清空'),
};

const widgets = { attachment: AttachmentWidget, TextareaWidget: OpinionWidget, DateWidget: ChineseDateWidget };
const fields = { attachmentList: AttachmentListField };
const templates = { FieldErrorTemplate, FieldTemplate, ButtonTemplates, BaseInputTemplate: AmountTemplate };

function choices(schema) {
  if (Array.isArray(schema.enum)) return schema.enum.length;
  const alts = schema.oneOf || schema.anyOf;
  if (Array.isArray(alts) && alts.every((a) => a && 'const' in a)) return alts.length;
  return 0;
}

// The uiSchema as rendered: attachments get their widget/field and the upload `field` name,
// short choice lists are radio groups (审核结论: 通过 / 退回 / 不予立项).
function prepareUi(schema, ui, path) {
  const out = { ...(ui || {}) };
  if (!schema || typeof schema !== 'object') return out;
  if (schema.type === 'object' && schema.properties) {
    for (const [name, prop] of Object.entries(schema.properties)) {
      const childPath = path ? `${path}/${name}` : name;
      out[name] = prepareUi(prop, out[name], childPath);
    }
    return out;
  }
  if (isAttachmentSchema(schema)) {
    out['ui:widget'] = 'attachment';
    out['ui:options'] = { ...(out['ui:options'] || {}), attachmentField: path };
    return out;
  }
  if (isAttachmentArraySchema(schema)) {
    out['ui:field'] = 'attachmentList';
    out['ui:options'] = { ...(out['ui:options'] || {}), attachmentField: path };
    return out;
  }
  if (schema.type === 'array' && schema.items && typeof schema.items === 'object' && !Array.isArray(schema.items)) {
    // A set of choices (会签处室 …) is a group of checkboxes, not a multi-select box.
    if (choices(schema.items) > 0 && schema.uniqueItems && !out['ui:widget']) {
      out['ui:widget'] = 'checkboxes';
      return out;
    }
    out.items = prepareUi(schema.items, out.items, path);
    return out;
  }
  const n = choices(schema);
  if (n > 0 && n <= 4 && !out['ui:widget']) out['ui:widget'] = 'radio';
  if (n > 0 && !out['ui:placeholder']) out['ui:placeholder'] = '请选择';
  return out;
}

function propertySchema(schema, part) {
  if (!schema) return null;
  if (schema.type === 'object' || schema.properties) return schema.properties?.[part] || null;
  if (schema.type === 'array') return schema.items || null;
  return null;
}

// Server errors → rjsf ErrorSchema; a path stops at a leaf or at an attachment list.
export function toErrorSchema(schema, errors) {
  const root = {};
  const general = [];
  for (const err of errors || []) {
    const field = err?.field;
    const message = err?.message;
    if (!message) continue;
    if (!field || field === '(表单)' || field === 'data') { general.push(message); continue; }
    let node = root;
    let sch = schema;
    const parts = String(field).split('/');
    let ok = true;
    for (const part of parts) {
      const next = propertySchema(sch, part);
      if (!next) { ok = node !== root; break; }
      node[part] = node[part] || {};
      node = node[part];
      sch = next;
      if (isAttachmentArraySchema(sch)) break;
    }
    if (!ok) { general.push(message); continue; }
    // A message that names the field by its key (「send_back_reason」) names it by its title.
    const last = parts[parts.length - 1];
    const shownMessage = sch?.title ? message.split(`「${last}」`).join(`「${sch.title}」`) : message;
    node.__errors = [...(node.__errors || []), shownMessage];
  }
  return { errorSchema: root, general };
}

function clean(schema) {
  if (!schema || typeof schema !== 'object') return { type: 'object', properties: {} };
  const { $schema, $id, ...rest } = schema; // eslint-disable-line no-unused-vars
  return rest;
}

export default function FormView({
  schema, uiSchema, formData, onChange, onSubmit, error, taskId, processKey,
  submitText = '提交', readOnly = false, busy = false, extraActions = null, testid = 'task-form',
}) {
  const shown = useMemo(() => clean(schema), [schema]);
  const ui = useMemo(() => {
    const prepared = prepareUi(shown, uiSchema || {}, '');
    prepared['ui:submitButtonOptions'] = { norender: true };
    return prepared;
  }, [shown, uiSchema]);
  const [data, setData] = useState(formData || {});
  useEffect(() => { setData(formData || {}); }, [formData]);
  // A field's server error stays until that field is changed (top-level property).
  const [touched, setTouched] = useState(() => new Set());
  useEffect(() => { setTouched(new Set()); }, [error]);
  const { errorSchema: allErrors, general } = useMemo(
    () => toErrorSchema(shown, error?.errors), [shown, error]);
  const errorSchema = useMemo(() => {
    if (!touched.size) return allErrors;
    return Object.fromEntries(Object.entries(allErrors).filter(([k]) => !touched.has(k)));
  }, [allErrors, touched]);
  const wrapper = useRef(null);
  useEffect(() => {
    if (!error) return;
    const first = wrapper.current?.querySelector('[data-testid="field-error"], [role="alert"]');
    first?.scrollIntoView?.({ block: 'center', behavior: 'smooth' });
  }, [error]);
  const formContext = useMemo(() => ({ taskId, processKey }), [taskId, processKey]);
  // With field errors the box only says so (the messages are on the fields) plus any message
  // that names no field; otherwise it is the problem itself (title + detail).
  const problem = error && error.errors?.length
    ? { title: error.title, problem: { detail: '请按字段下方的提示修改后重新提交' },
      errors: general.map((message) => ({ message })) }
    : error;

  return (
    <div className={`form-view${readOnly ? ' readonly' : ''}`} ref={wrapper} data-testid={testid}>
      <Form
        schema={shown}
        uiSchema={ui}
        formData={data}
        validator={validator}
        widgets={widgets}
        fields={fields}
        templates={templates}
        translateString={translateString}
        formContext={formContext}
        extraErrors={errorSchema}
        noValidate
        noHtml5Validate
        experimental_defaultFormStateBehavior={DEFAULTS}
        showErrorList={false}
        readonly={readOnly}
        disabled={busy}
        onChange={({ formData: next }) => {
          if (error) {
            const changed = Object.keys({ ...(data || {}), ...(next || {}) })
              .filter((k) => JSON.stringify(data?.[k]) !== JSON.stringify(next?.[k]) && !touched.has(k));
            if (changed.length) setTouched((t) => new Set([...t, ...changed]));
          }
          setData(next);
          onChange?.(next);
        }}
        onSubmit={({ formData: next }) => { rememberOpinions(schema, next); onSubmit?.(next || {}); }}
      >
        {readOnly ? <></> : (
          <div className="form-actions">
            {error && <ProblemBox error={problem} testid="form-problem" />}
            <div className="buttons">
              <button type="submit" disabled={busy}>{busy ? '正在提交…' : submitText}</button>
              {extraActions}
            </div>
          </div>
        )}
      </Form>
    </div>
  );
}
