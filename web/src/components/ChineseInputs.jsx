// Inputs as Chinese offices read them: a date picker in Chinese (年、月, 一 … 日, weeks from
// Monday) whatever the browser's language, and amounts in 元 shown in 万元 as they are typed
// (the data stays in 元).
import React, { useState } from 'react';
import { getDefaultRegistry } from '@rjsf/core';

const { BaseInputTemplate } = getDefaultRegistry().templates;
const WEEK = ['一', '二', '三', '四', '五', '六', '日'];
const pad = (n) => String(n).padStart(2, '0');
const iso = (y, m, d) => `${y}-${pad(m)}-${pad(d)}`;

function parse(value) {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value || '');
  return m ? { y: Number(m[1]), m: Number(m[2]), d: Number(m[3]) } : null;
}

export function ChineseDateWidget({ id, value, onChange, disabled, readonly, required }) {
  const picked = parse(value);
  const today = new Date();
  const [open, setOpen] = useState(false);
  const [view, setView] = useState(() => ({ y: picked?.y || today.getFullYear(), m: picked?.m || today.getMonth() + 1 }));
  const move = (months) => setView(({ y, m }) => {
    const n = y * 12 + (m - 1) + months;
    return { y: Math.floor(n / 12), m: (n % 12) + 1 };
  });
  const first = (new Date(view.y, view.m - 1, 1).getDay() + 6) % 7;  // Monday first
  const days = new Date(view.y, view.m, 0).getDate();
  const cells = [...Array(first).fill(null), ...Array.from({ length: days }, (_, i) => i + 1)];
  const shown = picked ? `${picked.y}年${picked.m}月${picked.d}日` : '';
  return (
    <div className="cn-date">
      <input id={id} type="text" readOnly value={shown} placeholder="请选择日期" required={required}
        disabled={disabled || readonly} onClick={() => setOpen((o) => !o)} aria-haspopup="dialog" />
      {value && !disabled && !readonly && (
        <button type="button" className="secondary small" onClick={() => onChange(undefined)}>清除</button>
      )}
      {open && !disabled && !readonly && (
        <div className="cn-date-panel" role="dialog" aria-label="选择日期">
          <div className="cn-date-head">
            <button type="button" className="secondary small" onClick={() => move(-12)} aria-label="上一年">«</button>
            <button type="button" className="secondary small" onClick={() => move(-1)} aria-label="上个月">‹</button>
            <strong>{view.y}年{view.m}月</strong>
            <button type="button" className="secondary small" onClick={() => move(1)} aria-label="下个月">›</button>
            <button type="button" className="secondary small" onClick={() => move(12)} aria-label="下一年">»</button>
          </div>
          <div className="cn-date-grid">
            {WEEK.map((w) => <span key={w} className="muted small">{w}</span>)}
            {cells.map((d, i) => (d === null ? <span key={`e${i}`} /> : (
              <button key={d} type="button" aria-label={`${view.y}年${view.m}月${d}日`}
                className={picked && picked.y === view.y && picked.m === view.m && picked.d === d ? 'picked' : ''}
                onClick={() => { onChange(iso(view.y, view.m, d)); setOpen(false); }}>{d}</button>
            )))}
          </div>
          <div className="cn-date-foot">
            <button type="button" className="secondary small" onClick={() => {
              onChange(iso(today.getFullYear(), today.getMonth() + 1, today.getDate())); setOpen(false);
            }}>今天</button>
          </div>
        </div>
      )}
    </div>
  );
}

// A number field whose title says （元）: the amount in 万元 beside it, so 3500000 reads 350 万元.
export function AmountTemplate(props) {
  const { schema, value } = props;
  const inYuan = /[（(]元[）)]/.test(schema?.title || '') && ['integer', 'number'].includes(schema?.type);
  const amount = value === '' || value === null || value === undefined ? NaN : Number(value);
  return (
    <>
      <BaseInputTemplate {...props} />
      {inYuan && Number.isFinite(amount) && (
        <span className="muted small amount-wan" data-testid="amount-wan">
          合 {(amount / 10000).toLocaleString('zh-CN', { maximumFractionDigits: 4, useGrouping: false })} 万元
        </span>
      )}
    </>
  );
}
