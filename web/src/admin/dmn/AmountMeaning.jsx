import React from 'react';

// A threshold judges the amount its article means, never a form's money field as such: when an
// owner picks a form's money field for a condition, this asks which amount (申报、审定、安排、
// 调整后 or the latest of these) and the article; the server declares it in the draft and the
// column reads the declaration.
export const MEANINGS = [
  ['declared', '申报的金额'], ['reviewed', '审定的金额'], ['funded', '安排的金额'], ['changed', '调整后的金额'],
  ['latest', '以最近一次申报、审定、安排或调整的为准'],
];

/** A field of GET /drafts/{id}/words that a condition may judge only as a declared amount. */
export function needsMeaning(field) {
  return field?.type === 'amount' && field.declared === false;
}

/** The column to send: a form's money field carries the amount the owner said it means. */
export function withMeaning(column, field, amount) {
  return needsMeaning(field) ? { ...column, amount } : column;
}

export function meaningReady(field, amount) {
  return !needsMeaning(field) || Boolean(amount?.meaning && amount?.article);
}

export default function AmountMeaning({ field, vocabulary, value, onChange }) {
  if (!needsMeaning(field)) return null;
  const articles = vocabulary?.articles || [];
  return (
    <span className="dmn-amount-meaning" data-testid="amount-meaning">
      <label className="inline">条款所指的金额
        <select aria-label="条款所指的金额" value={value?.meaning || ''} onChange={(e) => onChange({ ...value, meaning: e.target.value })}>
          <option value="">请选择…</option>
          {MEANINGS.map(([k, words]) => <option key={k} value={k}>{words}</option>)}
        </select>
      </label>
      <label className="inline">依据条文
        <select aria-label="金额的依据条文" value={value?.article || ''} onChange={(e) => onChange({ ...value, article: e.target.value })}>
          <option value="">请选择…</option>
          {articles.map((a) => <option key={a.id} value={a.id} title={a.text}>{a.id}</option>)}
        </select>
      </label>
    </span>
  );
}
