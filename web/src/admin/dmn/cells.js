// A decision-table cell as the words editor holds it ({op, values} or {op: 'raw', text}; see
// engine/revisions/decision_cells.py) and the words for its comparisons, per column type.

export const ANY = { op: 'any', values: [] };

const ORDERED = [
  ['any', '任意'], ['lt', '低于'], ['le', '不高于'], ['gt', '高于'], ['ge', '不低于'],
  ['eq', '等于'], ['ne', '不等于'], ['between', '介于'],
];

// The comparisons a condition of this type offers, as [op, words].
export function comparisons(type) {
  if (type === 'choice') return [['any', '任意'], ['in', '是以下之一'], ['not_in', '不是以下任何一项']];
  if (type === 'text') return [['any', '任意'], ['eq', '等于'], ['ne', '不等于']];
  return ORDERED;
}

export const UNIT = { amount: '万元' };

// A blank value for a result of this type (a new rule's outputs).
export function blankResult(column) {
  if (column.type === 'choice' && column.options.length) return { op: 'eq', values: [column.options[0].value] };
  if (column.type === 'boolean') return { op: 'eq', values: [false] };
  if (column.type === 'amount' || column.type === 'number') return { op: 'eq', values: [0] };
  return { op: 'none', values: [] };
}

// The cell after its comparison changes: keeps what still fits, fills what the new one needs.
export function withComparison(cell, op, column) {
  const values = cell.op === 'raw' ? [] : cell.values || [];
  if (op === 'any') return ANY;
  if (op === 'in' || op === 'not_in') return { op, values: values.length ? values : [] };
  if (op === 'between') return { op, values: [values[0] ?? null, values[1] ?? null] };
  return { op, values: [values[0] ?? null] };
}

// Whether every value the cell needs is filled in (a number typed, a date picked, a choice made).
export function complete(cell) {
  if (cell.op === 'raw') return (cell.text || '').trim() !== '';
  if (cell.op === 'in' || cell.op === 'not_in') return cell.values.length > 0;
  return (cell.values || []).every((v) => v !== null && v !== undefined && v !== '' && !Number.isNaN(v));
}
