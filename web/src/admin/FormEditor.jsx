import React from 'react';
import { uiOf } from './bundleNames.js';
import FormDesigner from './forms/FormDesigner.jsx';

// Every field key the draft's other forms declare, however deep (a case's data is one namespace);
// read when a field is added, not at every keystroke's render (it parses every other form).
function keysElsewhere(texts, path) {
  const keys = new Set();
  const walk = (node) => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === 'object') {
      if (node.properties && typeof node.properties === 'object') Object.keys(node.properties).forEach((k) => keys.add(k));
      Object.values(node).forEach(walk);
    }
  };
  for (const [name, text] of Object.entries(texts)) {
    if (name === path || !name.endsWith('.schema.json')) continue;
    try { walk(JSON.parse(text)); } catch { /* a form being typed as JSON: its keys count once it parses */ }
  }
  return [...keys];
}

// One form of the draft: its schema and its layout (uischema) together, in the form designer; its
// one row of switches (表单设计 / 专家视图) opens each form in words. `texts` holds the working
// texts; `onText(path, text)`.
export default function FormEditor({ path, texts, readOnly, vocabulary, onText }) {
  const ui = uiOf(path);
  return (
    <div data-testid="form-editor">
      <FormDesigner schemaText={texts[path]} uiText={texts[ui] ?? ''} vocabulary={vocabulary} readOnly={readOnly}
        takenKeys={() => keysElsewhere(texts, path)}
        onChange={({ schemaText, uiText }) => {
          onText(path, schemaText);
          // a layout the designer reports as absent (null) is not written
          if (typeof uiText === 'string' && (uiText || ui in texts)) onText(ui, uiText);
        }} />
    </div>
  );
}
