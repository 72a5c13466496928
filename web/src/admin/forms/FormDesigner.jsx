// The form designer: a form's title and description, its fields in the owner's words, and a live
// preview rendered by the same component staff fill in; 专家视图 keeps the raw texts editable.
//
// <FormDesigner schemaText uiText onChange={({schemaText, uiText}) => …} vocabulary readOnly jsonTab />
//   schemaText / uiText: the texts of forms/<name>.schema.json and .uischema.json (uiText null or
//   '' when the form has none; onChange gives null back while none is needed).
//   vocabulary: GET /api/v1/drafts/{id}/words (articles [{id, text}], roles [{id, name}] …) or null.
//   jsonTab (default true): the 专家视图 tab; a host with its own raw editor passes false.
//   takenKeys: () => the field keys the draft's other forms use, which a new field's key avoids.
// onChange is called on the owner's edits only, never on loading.
//
// Test hook while mounted: window.__govitFormDesigner = {load(schemaText, uiText), current(),
// fields()} — load a form without reporting a change, the texts the model writes now, and the
// fields as [{key, kind, label}].
import React, { useCallback, useEffect, useRef, useState } from 'react';
import ExpertJson from './ExpertJson.jsx';
import FieldEditor from './FieldEditor.jsx';
import FieldList from './FieldList.jsx';
import FormPreview from './FormPreview.jsx';
import {
  addField, formObjects, labelOf, loadForm, moveField, parseJson, removeField, setFormText, writeForm,
} from './fieldModel.js';
import './designer.css';

function tryLoad(schemaText, uiText) {
  try {
    return { model: loadForm(schemaText, uiText), error: null };
  } catch (e) {
    return { model: null, error: e.message };
  }
}

function jsonState(schemaText, uiText) {
  return { schema: schemaText ?? '', ui: uiText ?? '', errors: {} };
}

export default function FormDesigner({ schemaText, uiText, onChange, vocabulary = null, readOnly = false, jsonTab = true, takenKeys = () => [] }) {
  const [loaded, setLoaded] = useState(() => tryLoad(schemaText, uiText));
  const model = loaded.model;
  const modelRef = useRef(model);
  const emitted = useRef({ schemaText, uiText: uiText ?? null });
  const [json, setJson] = useState(() => jsonState(schemaText, uiText));
  const [tab, setTab] = useState(() => (loaded.model ? 'design' : 'json'));
  const [selected, setSelected] = useState(() => loaded.model?.fields[0]?.key || null);

  const adopt = useCallback((s, u) => {
    const next = tryLoad(s, u);
    modelRef.current = next.model;
    setLoaded(next);
    setJson(jsonState(s, u));
    setSelected((cur) => (next.model?.fields.some((f) => f.key === cur) ? cur : next.model?.fields[0]?.key || null));
    if (!next.model) setTab('json');
  }, []);

  // New texts from outside (another load of the draft): take them unless they are our own.
  useEffect(() => {
    if (schemaText === emitted.current.schemaText && (uiText ?? null) === emitted.current.uiText) return;
    emitted.current = { schemaText, uiText: uiText ?? null };
    adopt(schemaText, uiText);
  }, [schemaText, uiText, adopt]);

  const commit = useCallback((next) => {
    modelRef.current = next;
    setLoaded({ model: next, error: null });
    const out = writeForm(next);
    emitted.current = out;
    setJson(jsonState(out.schemaText, out.uiText));
    onChange?.(out);
  }, [onChange]);

  const onJson = useCallback((s, u) => {
    const errors = { schema: parseJson(s).error, ui: u.trim() ? parseJson(u).error : null };
    let next = null;
    if (!errors.schema && !errors.ui) {
      const result = tryLoad(s, u);
      if (result.model) next = result.model; else errors.schema = result.error;
    }
    setJson({ schema: s, ui: u, errors });
    if (!next) return;
    modelRef.current = next;
    setLoaded({ model: next, error: null });
    const out = { schemaText: s, uiText: u.trim() ? u : null };
    emitted.current = out;
    onChange?.(out);
  }, [onChange]);

  useEffect(() => {
    window.__govitFormDesigner = {
      load: (s, u) => { adopt(s, u); return Boolean(modelRef.current); },
      current: () => (modelRef.current ? writeForm(modelRef.current) : null),
      fields: () => (modelRef.current?.fields || []).map((f) => ({ key: f.key, kind: f.kind, label: labelOf(f.kind, f.prop?.title) })),
    };
    return () => { delete window.__govitFormDesigner; };
  }, [adopt]);

  const field = model?.fields.find((f) => f.key === selected) || null;
  const objects = model ? formObjects(model) : null;
  const rawRules = model ? model.conditions.filter((c) => c.raw !== undefined).length : 0;

  return (
    <div className="form-designer" data-testid="form-designer">
      {jsonTab && <div className="admin-tabs small" role="tablist" aria-label="编辑方式">
        <button type="button" role="tab" aria-selected={tab === 'design'} className={tab === 'design' ? 'active' : ''}
          disabled={!model} onClick={() => setTab('design')}>表单设计</button>
        <button type="button" role="tab" aria-selected={tab === 'json'} className={tab === 'json' ? 'active' : ''}
          onClick={() => setTab('json')}>专家视图</button>
      </div>}
      {loaded.error && <p className="sev-error" data-testid="designer-error">表单无法在设计器中打开：{loaded.error}。请在“专家视图”中修正。</p>}
      {tab === 'json' && jsonTab && (
        <ExpertJson schemaText={json.schema} uiText={json.ui} errors={json.errors} onChange={onJson} readOnly={readOnly} />
      )}
      {tab === 'design' && model && (
        <>
          <div className="card designer-head">
            <label className="field">表单标题
              <input aria-label="表单标题" value={model.schema.title || ''} readOnly={readOnly}
                onChange={(e) => commit(setFormText(model, 'title', e.target.value))} />
            </label>
            <label className="field">表单说明（可引用条文）
              <textarea aria-label="表单说明" rows={2} value={model.schema.description || ''} readOnly={readOnly}
                onChange={(e) => commit(setFormText(model, 'description', e.target.value))} />
            </label>
            {rawRules > 0 && <p className="muted small">另有 {rawRules} 条高级规则（在 JSON 中编辑），保存时原样保留。</p>}
          </div>
          <div className="row designer-body">
            <div className="designer-left">
              <FieldList fields={model.fields} selected={selected} onSelect={setSelected} readOnly={readOnly}
                onMove={(key, delta) => commit(moveField(model, key, delta))}
                onRemove={(key) => { commit(removeField(model, key)); if (key === selected) setSelected(null); }}
                onAdd={(kind, label) => { const { model: next, key } = addField(model, kind, label, takenKeys()); commit(next); setSelected(key); }} />
              {field && (readOnly
                ? <p className="muted">此草稿已部署，只读。</p>
                : <FieldEditor key={field.key} model={model} field={field} onModel={commit} vocabulary={vocabulary} />)}
            </div>
            <div className="grow">
              <FormPreview schema={objects.schema} ui={objects.ui} vocabulary={vocabulary} />
            </div>
          </div>
        </>
      )}
    </div>
  );
}
