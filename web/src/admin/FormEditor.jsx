import React from 'react';
import TextEditor from './TextEditor.jsx';
import { uiOf } from './bundleNames.js';
import FormDesigner from './forms/FormDesigner.jsx';

// Two ways to edit one thing: in words (the designer, the table in words) or as written (专家).
export function ExpertSwitch({ expert, onChange, words, raw }) {
  return (
    <div className="admin-tabs small" role="tablist" aria-label="编辑方式">
      <button type="button" role="tab" aria-selected={!expert} className={expert ? '' : 'active'} onClick={() => onChange(false)}>{words}</button>
      <button type="button" role="tab" aria-selected={expert} className={expert ? 'active' : ''} onClick={() => onChange(true)}>{raw}</button>
    </div>
  );
}

// One form of the draft: its schema and its layout (uischema) together, in the form designer or,
// for experts, as JSON. `texts` holds the working texts; `onText(path, text, parseError)`.
export default function FormEditor({ path, texts, files, readOnly, expert, onExpert, vocabulary, line, onText }) {
  const ui = uiOf(path);
  return (
    <div data-testid="form-editor">
      <ExpertSwitch expert={expert} onChange={onExpert} words="表单设计" raw="专家（JSON）" />
      {!expert ? (
        <FormDesigner schemaText={texts[path]} uiText={texts[ui] ?? ''} vocabulary={vocabulary} readOnly={readOnly}
          onChange={({ schemaText, uiText }) => {
            onText(path, schemaText);
            // a layout the designer reports as absent (null) is not written
            if (typeof uiText === 'string' && (uiText || ui in texts)) onText(ui, uiText);
          }} />
      ) : (
        <>
          <TextEditor path={path} title={files[path]} initial={texts[path]} readOnly={readOnly} line={line}
            onChange={(text, err) => onText(path, text, err)} />
          {ui in texts && (
            <TextEditor path={ui} title={files[ui]} initial={texts[ui]} readOnly={readOnly}
              onChange={(text, err) => onText(ui, text, err)} />
          )}
        </>
      )}
    </div>
  );
}
