// 专家：JSON — the form's JSON Schema and uiSchema as text, for what the designer does not
// offer (field keys, patterns, nested lists). Text that parses becomes the model; text that does
// not is flagged and not taken.
import React from 'react';

function JsonArea({ label, text, error, onChange, readOnly, testid }) {
  return (
    <div className={`json-editor designer-json${error ? ' invalid' : ''}`} data-testid={testid}>
      <div className="toolbar">
        <strong>{label}</strong>
        {error ? <span className="sev-error" data-testid="json-error">JSON 格式错误，修改未生效：{error}</span>
          : <span className="badge green">JSON 格式正确</span>}
      </div>
      <textarea value={text} spellCheck={false} readOnly={readOnly} aria-label={label} onChange={(e) => onChange(e.target.value)} />
    </div>
  );
}

export default function ExpertJson({ schemaText, uiText, errors, onChange, readOnly }) {
  return (
    <div className="row designer-expert">
      <div className="grow">
        <JsonArea label="表单结构（JSON Schema）" text={schemaText} error={errors.schema} readOnly={readOnly} testid="schema-json"
          onChange={(text) => onChange(text, uiText)} />
      </div>
      <div className="grow">
        <JsonArea label="界面配置（uiSchema）" text={uiText} error={errors.ui} readOnly={readOnly} testid="ui-json"
          onChange={(text) => onChange(schemaText, text)} />
      </div>
    </div>
  );
}
