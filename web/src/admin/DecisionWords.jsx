import React from 'react';

// A DMN file's decision tables as the regulation reads them (GET /processes/{key}/decisions):
// the hit policy in a sentence, columns by their Chinese names, rules as 第N条, every cell in
// words. A plain HTML table, so it wraps inside its card instead of scrolling sideways, and
// nothing (no viewer logo) is drawn over its rows. Editing stays with dmn-js in the modeler.
export default function DecisionWords({ file, testid = 'decision-words' }) {
  if (!file) return null;
  if (!file.decisions.length) return <p className="muted">此文件中没有决策表。</p>;
  return (
    <div data-testid={testid}>
      {file.decisions.map((d, i) => <Decision key={i} decision={d} />)}
    </div>
  );
}

function Decision({ decision }) {
  const { inputs, outputs, rules } = decision;
  return (
    <section className="decision" data-testid="decision">
      <h3>{decision.name}</h3>
      {decision.description && <p className="doc muted">{decision.description}</p>}
      <p className="hit-policy" data-testid="hit-policy">
        <span className="badge blue">{decision.hit_policy}</span> {decision.hit_policy_text}
      </p>
      <table className="decision-words" data-testid="decision-table">
        <thead>
          <tr>
            <th rowSpan={2} className="rule-no">规则</th>
            {inputs.length > 0 && <th colSpan={inputs.length} className="group-in">条件（同时满足）</th>}
            {outputs.length > 0 && <th colSpan={outputs.length} className="group-out">结果</th>}
            <th rowSpan={2} className="rule-doc">说明</th>
          </tr>
          <tr>
            {inputs.map((c, i) => <th key={`i${i}`} className="col-in">{c.label}</th>)}
            {outputs.map((c, i) => <th key={`o${i}`} className="col-out">{c.label}</th>)}
          </tr>
        </thead>
        <tbody>
          {rules.map((r) => (
            <tr key={r.number}>
              <th scope="row" className="rule-no">{r.label}</th>
              {r.inputs.map((c, i) => <Cell key={`i${i}`} cell={c} kind="in" />)}
              {r.outputs.map((c, i) => <Cell key={`o${i}`} cell={c} kind="out" />)}
              <td className="rule-doc">{r.description}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {decision.raw_cells > 0 && (
        <p className="muted small">标有「表达式」的单元格无法转述为文字，显示的是规则原文。</p>
      )}
    </section>
  );
}

function Cell({ cell, kind }) {
  if (cell.raw) {
    return (
      <td className={`col-${kind} raw`}>
        <span className="badge amber">表达式</span> <code>{cell.text}</code>
      </td>
    );
  }
  return <td className={`col-${kind}${cell.text === '任意' ? ' any' : ''}`}>{cell.text}</td>;
}
