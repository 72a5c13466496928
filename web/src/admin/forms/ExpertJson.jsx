// 专家视图 — the form's JSON Schema and uiSchema as text, for what the designer does not
// offer (field keys, patterns, nested lists). Text that parses becomes the model; text that does
// not is flagged in Chinese (where it breaks) and not taken.
import React from 'react';
import { parseError } from '../TextEditor.jsx';

function JsonArea({ label, text, error, onChange, readOnly, testid }) {
  const said = error ? parseError(text) || error : null; // where the text breaks, else what the designer found
  return (
    <div className={`json-editor designer-json${error ? ' invalid' : ''}`} data-testid={testid}>
      <div className="toolbar">
        <strong>{label}</strong>
        {said ? <span className="sev-error" data-testid="json-error">格式有误，修改未生效：{said}</span>
          : <span className="badge green">格式正确</span>}
      </div>
      <textarea value={text} spellCheck={false} readOnly={readOnly} aria-label={label} onChange={(e) => onChange(e.target.value)} />
    </div>
  );
}

export default function ExpertJson({ schemaText, uiText, errors, onChange, readOnly }) {
  return (
    <>
      <p className="muted" data-testid="expert-note">专家视图：按原文编辑表单的字段定义和界面布局，供熟悉格式的人员使用；格式正确的修改立即生效，一般修改请在“表单设计”中进行。</p>
      <div className="row designer-expert">
        <div className="grow">
          <JsonArea label="字段定义" text={schemaText} error={errors.schema} readOnly={readOnly} testid="schema-json"
            onChange={(text) => onChange(text, uiText)} />
        </div>
        <div className="grow">
          <JsonArea label="界面布局" text={uiText} error={errors.ui} readOnly={readOnly} testid="ui-json"
            onChange={(text) => onChange(schemaText, text)} />
        </div>
      </div>
    </>
  );
}
