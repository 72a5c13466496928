// The kinds of field the form designer offers, each told from a bundled form's JSON Schema
// property (and its uiSchema entry) exactly as the bundles write them, and built fresh in the
// same shape. A property that matches no kind is an advanced field: kept as it is, edited in
// the JSON tab. Pure functions, no React: the round-trip test runs this file in Node.

export const KIND_LABELS = {
  text: '单行文字',
  textarea: '多行文字',
  amount: '金额（元，填写时显示万元）',
  integer: '整数',
  date: '日期',
  choice: '选项',
  boolean: '是/否',
  attachment: '附件',
  directory: '单位/科室/人员（从名录选择）',
  advanced: '高级字段（在 JSON 中编辑）',
};

// The kinds a new field may take (advanced is only ever found, never chosen).
export const CHOOSABLE = ['text', 'textarea', 'amount', 'date', 'choice', 'boolean', 'attachment', 'directory', 'integer'];

export const DIRECTORY_LABELS = { unit: '单位', office: '科室（处室）', user: '人员' };

// File types offered for a document field, as the bundles list them in `x-attachment.accept`.
export const FILE_TYPES = [
  { label: 'PDF', accept: ['.pdf'] },
  { label: 'OFD', accept: ['.ofd'] },
  { label: 'Word', accept: ['.doc', '.docx'] },
  { label: 'Excel', accept: ['.xls', '.xlsx'] },
  { label: '图片', accept: ['.jpg', '.jpeg', '.png'] },
  { label: '压缩包', accept: ['.zip'] },
];
export const DEFAULT_ACCEPT = ['.pdf', '.ofd', '.doc', '.docx'];
export const DEFAULT_MAX_BYTES = 20 * 1024 * 1024;
export const MAX_BYTES_CAP = 50 * 1024 * 1024;  // the service's cap (attachment_marker.py)
const LIST_MAX_ITEMS = 30;  // how many documents a multi-document field of the bundles takes

// The unit mark a money field's title carries, which the engine and the renderer read.
export const YUAN_MARK = /[（(]元[）)]\s*$/;

const COMMON = ['type', 'title', 'description', 'x-article'];
const UI_KEYS = ['ui:widget', 'ui:help'];
const DIRECTORY_KINDS = Object.keys(DIRECTORY_LABELS);

const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
const only = (obj, allowed) => Object.keys(obj).every((k) => allowed.includes(k));

function isOptionList(list, type) {
  return Array.isArray(list) && list.length > 0
    && list.every((o) => isObject(o) && only(o, ['const', 'title']) && typeof o.const === type && typeof o.title === 'string');
}

function isAttachmentItem(items) {
  return isObject(items) && items.type === 'string' && items.format === 'attachment'
    && only(items, ['type', 'format', 'title', 'description', 'x-attachment']);
}

function isDirectoryNode(node) {
  return DIRECTORY_KINDS.includes(node['x-directory'])
    && (node['x-directory-role'] === undefined || typeof node['x-directory-role'] === 'string');
}

function stringKind(p, widget) {
  if (p.format === 'attachment') return only(p, [...COMMON, 'format', 'x-attachment']) && !widget ? 'attachment' : 'advanced';
  if (p.format === 'date') return only(p, [...COMMON, 'format']) && !widget ? 'date' : 'advanced';
  if ('format' in p) return 'advanced';
  if ('x-directory' in p) {
    return only(p, [...COMMON, 'x-directory', 'x-directory-role']) && isDirectoryNode(p) && !widget ? 'directory' : 'advanced';
  }
  if ('oneOf' in p) {
    const ok = only(p, [...COMMON, 'oneOf', 'x-role', 'x-informational']) && isOptionList(p.oneOf, 'string')
      && [undefined, 'decision'].includes(p['x-role']) && [undefined, 'radio'].includes(widget);
    return ok ? 'choice' : 'advanced';
  }
  if (!only(p, [...COMMON, 'minLength', 'maxLength', 'x-role']) || ![undefined, 'opinion'].includes(p['x-role'])) return 'advanced';
  if (widget === 'textarea') return 'textarea';
  return widget ? 'advanced' : 'text';
}

function arrayKind(p, widget) {
  const { items } = p;
  if (!isObject(items) || items.type !== 'string') return 'advanced';
  if (isAttachmentItem(items)) return only(p, [...COMMON, 'minItems', 'maxItems', 'items']) && !widget ? 'attachment' : 'advanced';
  if ('x-directory' in items) {
    const ok = only(p, [...COMMON, 'minItems', 'maxItems', 'items', 'uniqueItems']) && isDirectoryNode(items)
      && only(items, ['type', 'title', 'description', 'x-directory', 'x-directory-role'])
      && [undefined, 'checkboxes'].includes(widget);
    return ok ? 'directory' : 'advanced';
  }
  const ok = p.uniqueItems === true && only(p, [...COMMON, 'minItems', 'maxItems', 'items', 'uniqueItems'])
    && only(items, ['type', 'title', 'description', 'oneOf']) && isOptionList(items.oneOf, 'string')
    && [undefined, 'checkboxes'].includes(widget);
  return ok ? 'choice' : 'advanced';
}

// Which kind a property is (its uiSchema entry `u` may say textarea / radio / checkboxes).
export function detectKind(p, u) {
  if (!isObject(p) || typeof p.title !== 'string') return 'advanced';
  if (u !== undefined && !(isObject(u) && only(u, UI_KEYS))) return 'advanced';
  const widget = u?.['ui:widget'];
  if ('x-article' in p && typeof p['x-article'] !== 'string') return 'advanced';
  if (p.type === 'string') return stringKind(p, widget);
  if (p.type === 'integer') {
    if (YUAN_MARK.test(p.title)) return only(p, [...COMMON, 'minimum', 'maximum']) && !widget ? 'amount' : 'advanced';
    return only(p, [...COMMON, 'minimum', 'maximum', 'default']) && !widget ? 'integer' : 'advanced';
  }
  if (p.type === 'boolean') {
    const ok = only(p, [...COMMON, 'oneOf', 'const', 'x-informational'])
      && (p.oneOf === undefined || isOptionList(p.oneOf, 'boolean'))
      && [undefined, true, false].includes(p.const) && [undefined, 'radio'].includes(widget);
    return ok ? 'boolean' : 'advanced';
  }
  if (p.type === 'array') return arrayKind(p, widget);
  return 'advanced';
}

// The label an official types, without the unit mark a money field's title carries.
export function labelOf(kind, title) {
  return kind === 'amount' ? (title || '').replace(YUAN_MARK, '') : (title || '');
}

export function titleFor(kind, label) {
  return kind === 'amount' ? `${label.replace(YUAN_MARK, '')}（元）` : label;
}

// A fresh property of a kind, in the bundles' shape (label, help text and article carried over).
export function buildProperty(kind, { label, description, article }) {
  const p = { type: 'string', title: titleFor(kind, label) };
  if (description) p.description = description;
  if (article) p['x-article'] = article;
  switch (kind) {
    case 'amount': return { ...p, type: 'integer', minimum: 0 };
    case 'integer': return { ...p, type: 'integer' };
    case 'date': return { ...p, format: 'date' };
    case 'choice': return { ...p, oneOf: [{ const: 'option_1', title: '选项一' }, { const: 'option_2', title: '选项二' }] };
    case 'boolean': return { ...p, type: 'boolean', oneOf: [{ const: true, title: '是' }, { const: false, title: '否' }] };
    case 'attachment': return { ...p, format: 'attachment', 'x-attachment': { accept: [...DEFAULT_ACCEPT], maxBytes: DEFAULT_MAX_BYTES } };
    case 'directory': return { ...p, 'x-directory': 'unit' };
    default: return p;
  }
}

// A new field's uiSchema entry: long text is a text area; other kinds need none.
export function buildUi(kind) {
  return kind === 'textarea' ? { 'ui:widget': 'textarea' } : undefined;
}

// One document or several: the marker moves between the field and its `items`.
export function withMultiple(kind, p, multiple) {
  const isList = p.type === 'array';
  if (multiple === isList) return p;
  const { type, title, description, items, minItems, maxItems, uniqueItems, ...rest } = p;  // eslint-disable-line no-unused-vars
  const head = { title, ...(description ? { description } : {}), ...('x-article' in p ? { 'x-article': p['x-article'] } : {}) };
  delete rest['x-article'];
  if (multiple) {
    if (kind === 'choice') { delete rest['x-role']; delete rest['x-informational']; }
    const item = { type: 'string', title, ...rest };
    if (kind === 'attachment') return { type: 'array', ...head, minItems: 1, maxItems: LIST_MAX_ITEMS, items: item };
    return { type: 'array', ...head, minItems: 1, uniqueItems: true, items: item };
  }
  const { type: _t, title: _title, description: _d, ...inner } = items || {};  // eslint-disable-line no-unused-vars
  return { type: 'string', ...head, ...inner };
}

// The node that carries a kind's settings: the field itself, or its `items` for a list.
export function settingsNode(p) {
  return p.type === 'array' && isObject(p.items) ? p.items : p;
}
