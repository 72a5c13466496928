import React, { useEffect, useRef, useState } from 'react';

// A plain text editor for a bundle file, headed by what a person calls it (`title`, never the
// file name); JSON files (manifest.json, forms/*.json) are parse-checked on every change.
// `onChange(text, parseError|null)`. `line` scrolls to and selects that line.
export default function TextEditor({ path, title, initial, onChange, line, readOnly = false }) {
  const [text, setText] = useState(initial ?? '');
  const [error, setError] = useState(null);
  const area = useRef(null);
  const isJson = path.endsWith('.json');

  useEffect(() => {
    setError(isJson ? parseError(initial ?? '') : null);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  useEffect(() => {
    if (!line || !area.current) return;
    const lines = text.split('\n');
    const start = lines.slice(0, line - 1).reduce((n, l) => n + l.length + 1, 0);
    const end = start + (lines[line - 1] || '').length;
    area.current.focus();
    area.current.setSelectionRange(start, end);
    const lh = parseFloat(getComputedStyle(area.current).lineHeight) || 18;
    area.current.scrollTop = Math.max(0, (line - 5) * lh);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [line]);

  const change = (value) => {
    setText(value);
    const err = isJson ? parseError(value) : null;
    setError(err);
    onChange(value, err);
  };

  const format = () => {
    try {
      change(`${JSON.stringify(JSON.parse(text), null, 2)}\n`);
    } catch (e) { /* the error is already shown */ }
  };

  return (
    <div className={`json-editor${error ? ' invalid' : ''}`} data-testid="text-editor">
      <div className="toolbar">
        <strong>{title}</strong>
        {isJson && (error
          ? <span className="sev-error" data-testid="json-error">格式有误：{error}</span>
          : <span className="badge green">格式正确</span>)}
        {isJson && <button type="button" className="secondary" onClick={format} disabled={Boolean(error) || readOnly}>格式化</button>}
      </div>
      <textarea ref={area} value={text} spellCheck={false} readOnly={readOnly} aria-label={`编辑${title}`}
        onChange={(e) => change(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Tab' && !readOnly) {
            e.preventDefault();
            const el = e.target;
            const { selectionStart: s, selectionEnd: t } = el;
            const next = `${text.slice(0, s)}  ${text.slice(t)}`;
            change(next);
            requestAnimationFrame(() => el.setSelectionRange(s + 2, s + 2));
          }
        }} />
    </div>
  );
}

// Where a JSON text breaks, in Chinese (the browser's own message is English): 第 3 行第 5 列附近有误.
export function parseError(text) {
  try {
    JSON.parse(text);
    return null;
  } catch (e) {
    if (!text.trim()) return '内容为空';
    const at = /line (\d+) column (\d+)/.exec(e.message);
    if (at) return `第 ${at[1]} 行第 ${at[2]} 列附近有误（多余或缺少逗号、引号或括号）`;
    const m = /position (\d+)/.exec(e.message);
    if (m) {
      const before = text.slice(0, Number(m[1])).split('\n');
      return `第 ${before.length} 行第 ${before[before.length - 1].length + 1} 列附近有误（多余或缺少逗号、引号或括号）`;
    }
    return /end of (JSON )?input|Unterminated/i.test(e.message) ? '内容不完整：结尾缺少括号或引号' : '格式有误，无法读取';
  }
}
