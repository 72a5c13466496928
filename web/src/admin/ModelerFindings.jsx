import React, { useState } from 'react';
import { formatDateTime } from '../format.js';
import { inWords } from './bundleNames.js';

// The modeler's 校验结果: XSD and lint problems and the simulation's findings as one list, each
// naming its element and file in words; a click opens the file on the element.

const SEVERITY = { error: '错误', warning: '警告', info: '提示' };
const SHOWN = 40;
const RANK = { error: 0, warning: 1, info: 2 };

// Index of the ids each BPMN file declares, to place a simulation finding (process + element).
function idIndex(texts, bpmnFiles) {
  const index = {};
  for (const path of bpmnFiles) {
    const ids = new Set();
    for (const m of (texts[path] || '').matchAll(/\sid="([^"]+)"/g)) ids.add(m[1]);
    index[path] = ids;
  }
  return index;
}

function locate(index, element, process) {
  const files = Object.keys(index);
  if (element) {
    const withBoth = files.find((f) => index[f].has(element) && (!process || index[f].has(process)));
    if (withBoth) return withBoth;
    const any = files.find((f) => index[f].has(element));
    if (any) return any;
  }
  if (process) return files.find((f) => index[f].has(process)) || null;
  return null;
}

// Problems (XSD, lint, deploy) and simulation findings, errors first, each with its file.
export function findingsOf(validation, deployProblems, texts, bpmnFiles) {
  const index = idIndex(texts, bpmnFiles);
  const out = [];
  [...(validation?.problems || []), ...(deployProblems || [])].forEach((p, i) => out.push({
    key: `p${i}`, source: '校验', severity: p.severity || 'error', file: p.file || locate(index, p.element, null),
    element: p.element || null, line: p.line || null, message: p.message, name: p.name || null,
  }));
  (validation?.simulation?.findings || []).forEach((f, i) => out.push({
    key: `s${i}`, source: '模拟运行', severity: f.severity || 'warning', file: locate(index, f.element, f.process),
    element: f.element || f.process || null, message: f.message, name: f.name, path: f.path,
  }));
  return out.map((f, i) => [f, i]).sort(([a, i], [b, j]) => (RANK[a.severity] ?? 3) - (RANK[b.severity] ?? 3) || i - j)
    .map(([f]) => f);
}

export default function ModelerFindings({ validation, findings, revision, focus, files, names, onPick }) {
  const [all, setAll] = useState(false);
  const errors = findings.filter((f) => f.severity === 'error').length;
  const words = (text) => inWords(text, files, names);
  const isFocused = (f) => focus && focus.file === f.file && focus.element === (f.file?.endsWith('.bpmn') ? f.element : f.key);
  return (
    <div className="card grow" data-testid="validation-findings">
      <h2>校验结果</h2>
      {!validation && findings.length === 0 && <p className="muted">尚未校验。点击“校验”：服务端检查格式、规范并模拟运行全部路径。</p>}
      {validation && (
        <p>
          {validation.ok ? <span className="badge green">校验通过</span> : <span className="badge red">发现问题</span>}
          <span className="muted">　问题 {(validation.problems || []).length} 项，模拟运行发现 {(validation.simulation?.findings || []).length} 项（错误 {errors} 项）</span>
          {validation.simulation == null && <span className="muted">（未模拟运行）</span>}
          {validation.validated_at && <span className="muted">　校验时间 {formatDateTime(validation.validated_at)}</span>}
        </p>
      )}
      {validation?.revision != null && validation.revision !== revision && (
        <p className="sev-warning">此结果针对修订号 {validation.revision}，草稿之后又有修改，请重新校验。</p>
      )}
      {findings.length > 0 && (
        <ul className="findings">
          {(all ? findings : findings.slice(0, SHOWN)).map((f) => (
            <li key={f.key} className={isFocused(f) ? 'active' : ''} data-testid="finding" data-element={f.element || ''}
              data-file={f.file || ''} onClick={() => f.file && onPick(f)}>
              <span className={`sev-${f.severity}`}>[{SEVERITY[f.severity] || f.severity}]</span>{' '}
              <span className="muted">{f.source}</span>{' '}
              {f.file && <span className="muted">{files[f.file]}</span>}
              {f.element && <span> · {(f.name && f.name !== f.element ? f.name : names[f.element]) || '未命名元素'}</span>}
              {f.line && <span className="muted"> · 第 {f.line} 行</span>}
              ：{words(f.message)}
              {f.path?.length > 0 && <div className="muted" style={{ fontSize: 12 }}>路径：{f.path.map(words).join(' → ')}</div>}
            </li>
          ))}
        </ul>
      )}
      {findings.length > SHOWN && (
        <button type="button" className="link" onClick={() => setAll(!all)}>
          {all ? `只显示前 ${SHOWN} 项` : `显示全部 ${findings.length} 项`}
        </button>
      )}
    </div>
  );
}
