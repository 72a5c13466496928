// A form (JSON Schema + uiSchema texts) as the designer holds it — a title, a description and
// an ordered list of fields — and back to the two texts.
//
// Loading keeps every property object as it is and saving writes it back untouched unless the
// owner edited it, so a bundled form loaded and saved without change gives the same JSON
// (tests/regulations/test_form_model.py runs this file over every bundled form in Node).
// 条件必填 is read from and written to `allOf` entries of the bundles' one shape,
//   {"if": {"properties": {X: {"const": V}}, "required": [X]}, "then": {"required": [Y, …]}},
// each kept in its place; any other `allOf` entry is kept verbatim.
import {
  buildProperty, buildUi, detectKind, labelOf, settingsNode, titleFor, withMultiple,
} from './fieldKinds.js';

const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
const clone = (v) => (v === undefined ? undefined : JSON.parse(JSON.stringify(v)));
const sameWhen = (a, b) => Boolean(a && b) && a.field === b.field && a.value === b.value;

// The condition of an `allOf` entry in the recognised shape, or null.
function conditionOf(entry) {
  if (!isObject(entry) || Object.keys(entry).sort().join() !== 'if,then') return null;
  const { if: cond, then } = entry;
  if (!isObject(cond) || Object.keys(cond).sort().join() !== 'properties,required') return null;
  if (!isObject(then) || Object.keys(then).join() !== 'required' || !Array.isArray(then.required)) return null;
  const names = isObject(cond.properties) ? Object.keys(cond.properties) : [];
  if (names.length !== 1 || !Array.isArray(cond.required) || cond.required.length !== 1 || cond.required[0] !== names[0]) return null;
  const test = cond.properties[names[0]];
  if (!isObject(test) || Object.keys(test).join() !== 'const' || !['string', 'boolean'].includes(typeof test.const)) return null;
  if (!then.required.length || !then.required.every((k) => typeof k === 'string')) return null;
  return { field: names[0], value: test.const, required: then.required };
}

function conditionEntry(when, required) {
  return { if: { properties: { [when.field]: { const: when.value } }, required: [when.field] }, then: { required } };
}

// The field keys in the order staff see them: `ui:order` when the uiSchema has one.
function displayOrder(properties, ui) {
  const keys = Object.keys(properties);
  const order = Array.isArray(ui?.['ui:order']) ? ui['ui:order'].filter((k) => keys.includes(k)) : [];
  return [...new Set([...order, ...keys])];
}

export function parseJson(text) {
  try { return { value: JSON.parse(text), error: null }; } catch (e) { return { value: null, error: e.message }; }
}

// The designer's model of a form. Throws on text that is not a JSON object.
export function loadForm(schemaText, uiText) {
  const schema = JSON.parse(schemaText);
  if (!isObject(schema)) throw new Error('表单应为 JSON 对象');
  const uiGiven = typeof uiText === 'string' && uiText.trim() !== '';
  const ui = uiGiven ? JSON.parse(uiText) : {};
  if (!isObject(ui)) throw new Error('界面配置应为 JSON 对象');
  const properties = isObject(schema.properties) ? schema.properties : {};
  const required = Array.isArray(schema.required) ? schema.required : [];
  const fields = displayOrder(properties, ui).map((key) => {
    const prop = properties[key];
    const fieldUi = ui[key];
    return { key, prop, ui: fieldUi, kind: detectKind(prop, fieldUi), required: required.includes(key), when: null };
  });
  const byKey = Object.fromEntries(fields.map((f) => [f.key, f]));
  const conditions = (Array.isArray(schema.allOf) ? schema.allOf : []).map((entry) => {
    const cond = conditionOf(entry);
    // Recognised only when each field it requires is a field of the form with no other condition.
    if (!cond || !cond.required.every((k) => byKey[k] && !byKey[k].when)) return { raw: entry };
    cond.required.forEach((k) => { byKey[k].when = { field: cond.field, value: cond.value }; });
    return { when: { field: cond.field, value: cond.value }, required: cond.required };
  });
  return {
    schema, ui, uiText: uiGiven ? uiText : null, fields, conditions,
    originalKeys: Object.keys(properties), originalRequired: required,
  };
}

function writeRequired(model, byKey) {
  const wasProperty = new Set(model.originalKeys);
  const out = model.originalRequired.filter((k) => (byKey[k] ? byKey[k].required : !wasProperty.has(k)));
  model.fields.forEach((f) => { if (f.required && !out.includes(f.key)) out.push(f.key); });
  return out;
}

function writeConditions(model, byKey) {
  const wasProperty = new Set(model.originalKeys);
  const claimed = new Set();
  const kept = model.conditions.map((c) => {
    if (c.raw !== undefined) return c;
    const required = c.required.filter((k) => (byKey[k] ? sameWhen(byKey[k].when, c.when) : !wasProperty.has(k)));
    required.forEach((k) => claimed.add(k));
    return { when: c.when, required };
  });
  for (const f of model.fields) {
    if (!f.when || claimed.has(f.key)) continue;
    const home = kept.find((c) => c.raw === undefined && sameWhen(c.when, f.when));
    if (home) home.required.push(f.key);
    else kept.push({ when: f.when, required: [f.key] });
  }
  return kept.filter((c) => c.raw !== undefined || c.required.length)
    .map((c) => (c.raw !== undefined ? c.raw : conditionEntry(c.when, c.required)));
}

function writeUi(model) {
  const ui = { ...model.ui };
  for (const key of model.originalKeys) delete ui[key];
  for (const f of model.fields) if (f.ui !== undefined) ui[f.key] = f.ui;
  if (Array.isArray(model.ui['ui:order'])) {
    const rest = model.ui['ui:order'].includes('*') ? ['*'] : [];
    ui['ui:order'] = [...model.fields.map((f) => f.key), ...rest];
  }
  return ui;
}

const toText = (value) => `${JSON.stringify(value, null, 2)}\n`;

// The schema and uiSchema objects the model stands for, keys in the original order.
export function formObjects(model) {
  const byKey = Object.fromEntries(model.fields.map((f) => [f.key, f]));
  const parts = {
    properties: Object.fromEntries(model.fields.map((f) => [f.key, f.prop])),
    required: writeRequired(model, byKey),
    allOf: writeConditions(model, byKey),
  };
  const schema = {};
  const place = (key) => {
    if (key === 'allOf' && !parts.allOf.length) return;
    if (key === 'required' && !parts.required.length && !('required' in model.schema)) return;
    schema[key] = parts[key];
  };
  for (const key of Object.keys(model.schema)) {
    if (key in parts) place(key); else schema[key] = model.schema[key];
  }
  for (const key of Object.keys(parts)) if (!(key in model.schema)) place(key);
  return { schema, ui: writeUi(model) };
}

export function writeForm(model) {
  const { schema, ui } = formObjects(model);
  const uiEmpty = Object.keys(ui).length === 0;
  return { schemaText: toText(schema), uiText: uiEmpty && model.uiText === null ? null : toText(ui) };
}

// Equality of JSON values, object keys in any order.
export function sameJson(a, b) {
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => sameJson(x, b[i]));
  }
  if (isObject(a) && isObject(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => k in b && sameJson(a[k], b[k]));
  }
  return a === b;
}

// ——— edits: each returns a new model ———

export function setFormText(model, key, value) {
  const schema = { ...model.schema };
  if (value) schema[key] = value; else delete schema[key];
  return { ...model, schema };
}

function replaceField(model, key, next) {
  return { ...model, fields: model.fields.map((f) => (f.key === key ? next : f)) };
}

// A field no longer offering a value (an option removed, the kind changed) no longer makes
// other fields required on it.
function withoutStaleWhens(model, key, before) {
  const now = triggerValues(model.fields.find((f) => f.key === key)).map((v) => v.value);
  const gone = before.filter((v) => !now.includes(v));
  if (!gone.length) return model;
  const fields = model.fields.map((f) => (f.when?.field === key && gone.includes(f.when.value) ? { ...f, when: null } : f));
  return { ...model, fields };
}

function replaceChecked(model, key, next) {
  const before = triggerValues(model.fields.find((f) => f.key === key)).map((v) => v.value);
  return withoutStaleWhens(replaceField(model, key, next), key, before);
}

// An edit of one field's property: `edit(prop)` changes a copy in place.
export function editProperty(model, key, edit) {
  const field = model.fields.find((f) => f.key === key);
  const prop = clone(field.prop);
  edit(prop);
  return replaceChecked(model, key, { ...field, prop, kind: detectKind(prop, field.ui) });
}

export function setLabel(model, key, label) {
  const field = model.fields.find((f) => f.key === key);
  return editProperty(model, key, (p) => {
    // A list's items titled as the list (the bundles' way for documents) keep reading the same.
    if (p.type === 'array' && isObject(p.items) && p.items.title === p.title) p.items.title = titleFor(field.kind, label);
    p.title = titleFor(field.kind, label);
  });
}

export function setOptional(model, key, name, value) {
  return editProperty(model, key, (p) => { if (value === undefined || value === '' || value === null) delete p[name]; else p[name] = value; });
}

export function setSetting(model, key, name, value) {
  return editProperty(model, key, (p) => {
    const node = settingsNode(p);
    if (value === undefined || value === '' || value === null) delete node[name]; else node[name] = value;
  });
}

export function setRequired(model, key, required) {
  const field = model.fields.find((f) => f.key === key);
  const next = replaceField(model, key, { ...field, required });
  // A required text must not be left empty: the bundles' required texts say so with minLength.
  if (required && !field.required && ['text', 'textarea'].includes(field.kind) && !('minLength' in field.prop)) {
    return editProperty(next, key, (p) => { p.minLength = 1; });
  }
  return next;
}

export function setWhen(model, key, when) {
  const field = model.fields.find((f) => f.key === key);
  return replaceField(model, key, { ...field, when: when && when.field ? when : null });
}

export function setMultiple(model, key, multiple) {
  const field = model.fields.find((f) => f.key === key);
  const prop = withMultiple(field.kind, field.prop, multiple);
  const ui = field.kind === 'choice' ? undefined : field.ui;
  return replaceChecked(model, key, { ...field, prop, ui, kind: detectKind(prop, ui) });
}

export function setKind(model, key, kind) {
  const field = model.fields.find((f) => f.key === key);
  const prop = buildProperty(kind, {
    label: labelOf(field.kind, field.prop.title), description: field.prop.description, article: field.prop['x-article'],
  });
  const help = field.ui?.['ui:help'];
  const ui = help ? { ...(buildUi(kind) || {}), 'ui:help': help } : buildUi(kind);
  return replaceChecked(model, key, { ...field, prop, ui, kind: detectKind(prop, ui) });
}

export function setUiWidget(model, key, widget) {
  const field = model.fields.find((f) => f.key === key);
  const ui = { ...(field.ui || {}) };
  if (widget) ui['ui:widget'] = widget; else delete ui['ui:widget'];
  const next = Object.keys(ui).length ? ui : undefined;
  return replaceField(model, key, { ...field, ui: next, kind: detectKind(field.prop, next) });
}

const KEY_PREFIX = {
  text: 'text', textarea: 'text', amount: 'amount', integer: 'number', date: 'date', choice: 'choice',
  boolean: 'yes_no', attachment: 'document', directory: 'directory',
};

// A key for a new field: the kind and the next free number (money fields end in _yuan, which
// the engine reads as an amount). A case's forms write into one set of data, so the number is
// also free in the draft's other forms (`elsewhere`): 专家评审's conclusion must not overwrite
// 技术审核's. Experts may rename it in the JSON tab.
export function newKey(model, kind, elsewhere = []) {
  const taken = new Set([...model.fields.map((f) => f.key), ...model.originalKeys, ...elsewhere]);
  const suffix = kind === 'amount' ? '_yuan' : '';
  for (let n = 1; ; n += 1) {
    const key = `${KEY_PREFIX[kind] || 'field'}_${n}${suffix}`;
    if (!taken.has(key)) return key;
  }
}

export function addField(model, kind, label, elsewhere = []) {
  const key = newKey(model, kind, elsewhere);
  const prop = buildProperty(kind, { label });
  const ui = buildUi(kind);
  const field = { key, prop, ui, kind: detectKind(prop, ui), required: false, when: null };
  return { model: { ...model, fields: [...model.fields, field] }, key };
}

export function removeField(model, key) {
  const fields = model.fields.filter((f) => f.key !== key)
    .map((f) => (f.when?.field === key ? { ...f, when: null } : f));
  return { ...model, fields };
}

export function moveField(model, key, delta) {
  const fields = [...model.fields];
  const i = fields.findIndex((f) => f.key === key);
  const j = i + delta;
  if (i < 0 || j < 0 || j >= fields.length) return model;
  [fields[i], fields[j]] = [fields[j], fields[i]];
  return { ...model, fields };
}

// The values a field may be required on: a choice's options, 是/否 of a yes/no field.
export function triggerValues(field) {
  const p = field?.prop;
  if (!p) return [];
  if (field.kind === 'choice' && p.type === 'string') return p.oneOf.map((o) => ({ value: o.const, label: o.title }));
  if (field.kind === 'boolean') {
    const titles = Object.fromEntries((p.oneOf || []).map((o) => [String(o.const), o.title]));
    return [{ value: true, label: titles.true || '是' }, { value: false, label: titles.false || '否' }];
  }
  return [];
}

export { labelOf };
