// 常用意见: an opinion field (a form field with "x-role": "opinion") offers the phrases offices
// write most, and the user's own recent opinions (kept in this browser), one click to insert.
import React from 'react';
import { getDefaultRegistry } from '@rjsf/core';

const Textarea = getDefaultRegistry().widgets.TextareaWidget;
const KEY = 'govit.recent-opinions';
const COMMON = ['同意。', '材料齐全，符合要求，同意提交下一环节。', '请按以下意见修改后重新提交：', '不同意，理由如下：'];

export function rememberOpinions(schema, data) {
  const fresh = Object.entries(schema?.properties || {})
    .filter(([k, p]) => p?.['x-role'] === 'opinion' && typeof data?.[k] === 'string' && data[k].trim())
    .map(([k]) => data[k].trim());
  if (!fresh.length) return;
  try {
    const kept = JSON.parse(window.localStorage.getItem(KEY) || '[]').filter((o) => !fresh.includes(o));
    window.localStorage.setItem(KEY, JSON.stringify([...fresh, ...kept].slice(0, 6)));
  } catch (e) { /* a browser without storage just has no recent opinions */ }
}

function recent() {
  try { return JSON.parse(window.localStorage.getItem(KEY) || '[]'); } catch (e) { return []; }
}

export default function OpinionWidget(props) {
  const { schema, value, onChange, disabled, readonly } = props;
  if (schema?.['x-role'] !== 'opinion' || disabled || readonly) return <Textarea {...props} />;
  const phrases = [...new Set([...COMMON, ...recent()])];
  const insert = (text) => onChange(value ? `${value}${value.endsWith('\n') ? '' : '\n'}${text}` : text);
  return (
    <div className="opinion-widget">
      <div className="common-opinions" data-testid="common-opinions" aria-label="常用意见">
        <span className="muted small">常用意见：</span>
        {phrases.map((p) => (
          <button key={p} type="button" className="secondary small" onClick={() => insert(p)} title={p}>
            {p.length > 18 ? `${p.slice(0, 18)}…` : p}
          </button>
        ))}
      </div>
      <Textarea {...props} />
    </div>
  );
}
