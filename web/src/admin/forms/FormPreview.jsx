// The form as staff will get it, rendered by the very component their task pages use
// (FormView). Directory fields get their choices here as the server gives them at run time
// (engine/cases/directory.py): offices from the draft's roles; units and people from the
// vocabulary when it lists them.
import React, { useMemo, useState } from 'react';
import FormView from '../../components/FormView.jsx';

function directoryChoices(node, vocabulary) {
  const wanted = node['x-directory-role'];
  const roles = (vocabulary?.roles || []).filter((r) => !wanted || r.id === wanted);
  if (node['x-directory'] === 'office') return roles.map((r) => ({ const: r.id, title: r.name }));
  if (node['x-directory'] === 'unit' && Array.isArray(vocabulary?.units)) {
    return vocabulary.units.map((u) => (typeof u === 'string' ? u : u.name)).filter(Boolean).map((u) => ({ const: u, title: u }));
  }
  if (node['x-directory'] === 'user' && Array.isArray(vocabulary?.users)) {
    return vocabulary.users.map((u) => ({ const: u.username, title: u.unit ? `${u.name}（${u.unit}）` : u.name }));
  }
  return [];
}

// The schema with each directory field's choices filled in, as staff get it.
export function previewSchema(schema, vocabulary) {
  const properties = {};
  for (const [key, prop] of Object.entries(schema.properties || {})) {
    const isList = prop?.type === 'array' && prop.items && typeof prop.items === 'object';
    const node = isList ? prop.items : prop;
    if (!node || typeof node !== 'object' || !node['x-directory']) { properties[key] = prop; continue; }
    const found = directoryChoices(node, vocabulary);
    // Without a list (units and people are known once users are set up) the preview says so.
    const oneOf = found.length ? found : [{ const: '', title: '（部署后从通讯录中列出）' }];
    properties[key] = isList ? { ...prop, items: { ...node, oneOf } } : { ...node, oneOf };
  }
  return { ...schema, properties };
}

export default function FormPreview({ schema, ui, vocabulary }) {
  const shown = useMemo(() => previewSchema(schema, vocabulary), [schema, vocabulary]);
  const [submitted, setSubmitted] = useState(false);
  return (
    <div className="card designer-preview" data-testid="form-preview">
      <h3>预览（经办人员看到的表单）</h3>
      <FormView schema={shown} uiSchema={ui} submitText="预览提交" testid="preview-form"
        onChange={() => setSubmitted(false)} onSubmit={() => setSubmitted(true)} />
      {submitted && <p className="muted" data-testid="preview-submitted">这是预览：填写内容不会提交；正式提交时由服务端按此表单校验。</p>}
    </div>
  );
}
