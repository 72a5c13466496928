// Small shared pieces: the problem box (an API error's Chinese title + detail), loading line,
// pager, and a hook that loads one API resource with its error and a reload function.
import React, { useCallback, useEffect, useRef, useState } from 'react';
import { formatDateTime } from '../format.js';

export function ProblemBox({ error, testid = 'problem' }) {
  if (!error) return null;
  const title = error.title || '操作失败';
  const detail = error.problem?.detail || (error.title ? '' : error.message);
  const errors = (error.errors || []).filter((e) => e && e.message && e.message !== detail);
  return (
    <div className="error-box" role="alert" data-testid={testid}>
      <strong>{title}</strong>
      {detail && detail !== title && <div className="detail">{detail}</div>}
      {errors.length > 0 && (
        <ul className="problem-list">
          {errors.map((e, i) => (
            <li key={i}>
              {[e.file, e.element, e.line ? `第${e.line}行` : null, e.field].filter(Boolean).join(' · ')}
              {(e.file || e.element || e.line || e.field) ? '：' : ''}{e.message}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

export function Loading({ text = '正在加载…' }) {
  return <p className="muted loading" role="status">{text}</p>;
}

export function Empty({ children }) {
  return <div className="empty" data-testid="empty">{children}</div>;
}

// total: number; capped: true when the server stopped counting (shows "1000+").
export function Pager({ offset, limit, total, capped, count, onChange }) {
  const page = Math.floor(offset / limit) + 1;
  const pages = Math.max(1, Math.ceil(total / limit));
  const hasNext = capped ? count === limit : offset + limit < total;
  return (
    <div className="pager" data-testid="pager">
      <span className="muted">共 {total}{capped ? '+' : ''} 条 · 第 {page}{capped ? '' : ` / ${pages}`} 页</span>
      <button type="button" className="secondary small" disabled={offset === 0}
        onClick={() => onChange(Math.max(0, offset - limit))}>上一页</button>
      <button type="button" className="secondary small" disabled={!hasNext}
        onClick={() => onChange(offset + limit)}>下一页</button>
    </div>
  );
}

// const { data, error, loading, reload, setData } = useResource(() => api.get('/x'), [deps])
export function useResource(loader, deps) {
  const [state, setState] = useState({ data: null, error: null, loading: true });
  const seq = useRef(0);
  const load = useCallback(() => {
    const mine = ++seq.current;
    setState((s) => ({ ...s, loading: true, error: null }));
    return Promise.resolve()
      .then(loader)
      .then((data) => { if (mine === seq.current) setState({ data, error: null, loading: false }); return data; })
      .catch((error) => { if (mine === seq.current) setState({ data: null, error, loading: false }); });
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, deps);
  useEffect(() => { load(); }, [load]);
  const setData = useCallback((fn) => setState((s) => ({ ...s, data: typeof fn === 'function' ? fn(s.data) : fn })), []);
  return { ...state, reload: load, setData };
}

export function Deadline({ due, overdue }) {
  if (!due) return <span className="muted">未规定办理时限</span>;
  return (
    <span className={overdue ? 'deadline overdue' : 'deadline'}>
      {formatDateTime(due)}{overdue && <span className="badge red" data-testid="overdue-badge">逾期</span>}
    </span>
  );
}

