// 条件 in words: when a flow leaving a gateway is taken, said as the regulation says it — a data
// item picked by its Chinese name (条件字段), a comparison that suits its kind (为 / 不为 / 属于 /
// 低于 / 不低于 / 高于 / 不高于 / 为是 / 为否), a value (an option by its name, an amount in 万元, a
// number, a date) or another data item of the same kind (成交金额高于采购最高限价), several joined
// by 且 or 或. The server reads the flow's expression into words
// (POST /words/condition, which also lists the fields a condition may test) and writes the
// expression for the words (POST /words/condition/expression); the sentence becomes the flow's
// name while the flow has none (or still carries the previous sentence). An expression that is no
// sentence stays in the expert field below, untouched until the owner starts over in words.
import { useEffect, useRef, useState } from '@bpmn-io/properties-panel/preact/hooks';
import { api } from '../../../api.js';
import { setExpression } from '../moddleEdit.js';
import { Choice, h, muted, useEditing, useService } from './common.js';

const NUMBER_OPS = [['ge', '不低于'], ['gt', '高于'], ['le', '不高于'], ['lt', '低于'], ['eq', '为'], ['ne', '不为']];
const DATE_OPS = [['lt', '早于'], ['le', '不晚于'], ['gt', '晚于'], ['ge', '不早于'], ['eq', '为'], ['ne', '不为']];
const YES_NO = [['true', '为是'], ['false', '为否']];
const OPS_BY_KIND = {
  choice: [['eq', '为'], ['ne', '不为'], ['in', '属于'], ['not_in', '不属于']],
  text: [['eq', '为'], ['ne', '不为'], ['in', '属于'], ['not_in', '不属于'], ...YES_NO],
  boolean: YES_NO,
  amount: NUMBER_OPS,
  number: NUMBER_OPS,
  date: DATE_OPS,
};
const VALUELESS = new Set(['true', 'false']);
const LISTING = new Set(['in', 'not_in']); // a comparison with several values (属于 / 不属于)
const COMPARED = new Set(['eq', 'ne', 'lt', 'le', 'gt', 'ge']); // what may compare two data items
const AGAINST_FIELD = new Set(['amount', 'number', 'date', 'text']); // a choice is compared with its options
const YUAN_PER_WAN = 10000;
const LINK_SPACING = 'display: block; margin: 0 12px 10px 12px;'; // the panel's entries are inset by 12px

function problemText(e) {
  const listed = (e.errors || []).map((x) => x.message).filter(Boolean);
  return listed.length ? listed.join('；') : (e.message || '服务端无法写出此条件');
}

function withDraft(body, draftId) {
  return draftId ? { ...body, draft_id: Number(draftId) || draftId } : body;
}

/** The comparisons a field offers; a yes/no field whose form names its answers offers them. */
function opsFor(field) {
  const ops = OPS_BY_KIND[field?.type] || OPS_BY_KIND.text;
  if (field?.type !== 'boolean') return ops;
  const named = (v) => (field.options || []).find((o) => o.value === v)?.label;
  return ops.map(([op, label]) => {
    const answer = named(op === 'true');
    return [op, answer && !['是', '否'].includes(answer) ? `为「${answer}」` : label];
  });
}

/** A clause is complete (worth writing) when its field, comparison and value are set. */
function complete(c) {
  if (!c.field || !c.op) return false;
  if (VALUELESS.has(c.op)) return true;
  if (LISTING.has(c.op)) return Array.isArray(c.values) && c.values.length > 0;
  return c.value !== null && c.value !== undefined && c.value !== '';
}

/** Another data item a clause compares with (`value` is then `{ field: name }`), or null. */
function otherField(clause) {
  return clause.value && typeof clause.value === 'object' ? clause.value.field : null;
}

/** What a clause compares with: a value, or — for amounts, numbers, dates and texts — another
 * data item of the same kind, picked by its name. */
function ValueControl({ id, field, clause, fields, onChange }) {
  if (VALUELESS.has(clause.op)) return null;
  const other = otherField(clause); // read from a bundle, it may be of any kind
  const others = COMPARED.has(clause.op) && (other || AGAINST_FIELD.has(field?.type))
    ? fields.filter((f) => f.name !== field?.name && f.type === field?.type) : [];
  const against = others.length > 0 && Choice({
    id: `${id}-against`, label: '比较对象', value: other ? 'field' : 'value', testid: 'condition-against',
    options: [{ value: 'value', label: '某个值' }, { value: 'field', label: '另一数据项' }],
    onChange: (v) => onChange({ value: v === 'field' ? { field: others[0].name } : null }),
  });
  if (other && others.length) {
    return [against, Choice({
      id: `${id}-other`, label: '另一数据项', value: other, testid: 'condition-other',
      options: others.map((f) => ({ value: f.name, label: fieldLabel(f, fields) })),
      onChange: (v) => onChange({ value: { field: v } }),
    })];
  }
  return [against, h(ValueInput, { id, field, clause, onChange })];
}

function ValueInput({ id, field, clause, onChange }) {
  const kind = field?.type || 'text';
  const options = field?.options || [];
  if (LISTING.has(clause.op) && options.length) {
    const chosen = clause.values || [];
    return h('div', { class: 'bio-properties-panel-entry govit-condition-values', 'data-testid': 'condition-values' },
      h('span', { class: 'bio-properties-panel-label' }, '值（可多选）'),
      options.map((o, i) => h('label', { class: 'govit-check', key: i },
        h('input', {
          type: 'checkbox', checked: chosen.some((v) => v === o.value),
          onChange: (e) => onChange({ values: e.target.checked ? [...chosen, o.value] : chosen.filter((v) => v !== o.value) }),
        }), ` ${o.label}`)));
  }
  if (options.length) {
    const index = options.findIndex((o) => o.value === clause.value);
    return Choice({
      id: `${id}-value`, label: '值', value: index >= 0 ? String(index) : '', testid: 'condition-value',
      options: [{ value: '', label: '（请选择）' }, ...options.map((o, i) => ({ value: String(i), label: o.label }))],
      onChange: (v) => onChange({ value: v === '' ? null : options[Number(v)].value }),
    });
  }
  const input = (props, label, toValue) => h('div', { class: 'bio-properties-panel-entry' },
    h('label', { class: 'bio-properties-panel-label', for: `govit-${id}-value` }, label),
    h('input', {
      id: `govit-${id}-value`, class: 'bio-properties-panel-input', 'data-testid': 'condition-value', ...props,
      onChange: (e) => onChange(toValue(e.target.value)),
    }));
  if (kind === 'amount') {
    const wan = typeof clause.value === 'number' ? clause.value / YUAN_PER_WAN : '';
    return input({ type: 'number', step: 'any', value: wan }, '金额（万元）', (v) => {
      const yuan = Math.round(Number(v) * YUAN_PER_WAN * 100) / 100;
      return { value: v === '' || Number.isNaN(yuan) ? null : yuan };
    });
  }
  if (kind === 'number') {
    return input({ type: 'number', step: 'any', value: clause.value ?? '' }, '数值',
      (v) => ({ value: v === '' || Number.isNaN(Number(v)) ? null : Number(v) }));
  }
  if (kind === 'date') return input({ type: 'date', value: clause.value || '' }, '日期', (v) => ({ value: v || null }));
  if (LISTING.has(clause.op)) {
    return input({ type: 'text', value: (clause.values || []).join('、'), placeholder: '多个值以“、”分隔' }, '值',
      (v) => ({ values: v.split('、').map((s) => s.trim()) }));
  }
  return input({ type: 'text', value: clause.value ?? '' }, '值', (v) => ({ value: v }));
}

/** A field's name, with the form or table it comes from when another field bears the same name. */
function fieldLabel(field, fields) {
  const alike = fields.some((f) => f !== field && f.label === field.label);
  return alike && field.where ? `${field.label}（${field.where}）` : field.label;
}

function ClauseRow({ id, n, clause, fields, onChange, onRemove }) {
  const field = fields.find((f) => f.name === clause.field);
  const fieldOptions = [{ value: '', label: '（请选择）' }, ...fields.map((f) => ({ value: f.name, label: fieldLabel(f, fields) }))];
  const ops = opsFor(field);
  return h('div', { class: 'govit-condition-clause', 'data-testid': 'condition-clause' },
    Choice({
      id: `${id}-field`, label: n ? `条件字段 ${n + 1}` : '条件字段', value: clause.field || '', options: fieldOptions,
      testid: 'condition-field',
      onChange: (v) => {
        const next = fields.find((f) => f.name === v);
        onChange({ field: v || null, op: (OPS_BY_KIND[next?.type] || OPS_BY_KIND.text)[0][0], value: null, values: null });
      },
    }),
    field && Choice({
      id: `${id}-op`, label: '比较', value: clause.op || '', testid: 'condition-op',
      options: ops.map(([value, label]) => ({ value, label })),
      onChange: (v) => onChange({
        op: v,
        ...(LISTING.has(v) && !LISTING.has(clause.op)
          ? { values: clause.value != null && !otherField(clause) ? [clause.value] : [] } : {}),
        ...(otherField(clause) && !COMPARED.has(v) ? { value: null } : {}),
      }),
    }),
    field && h(ValueControl, { id, field, clause, fields, onChange }),
    onRemove && h('button', { type: 'button', class: 'govit-link', style: LINK_SPACING, onClick: onRemove, 'data-testid': 'condition-remove' },
      '删除此条件'));
}

/** The panel keeps one entry component while it moves between flows: start afresh for each.
 * Only a flow leaving an exclusive or inclusive gateway, and not its default flow, has words. */
export function ConditionWordsEntry({ element, id }) {
  const source = element.businessObject.sourceRef;
  if (!/^bpmn:(Exclusive|Inclusive)Gateway$/.test(source?.$type || '') || source.default === element.businessObject) return null;
  return h(ConditionWords, { key: element.id, element, id });
}

function ConditionWords({ element, id }) {
  const editing = useEditing();
  const modeling = useService('modeling');
  const ctx = useService('govitContext');
  const bo = element.businessObject;
  const expression = bo.conditionExpression?.body || '';
  const [read, setRead] = useState({ loading: true, words: null, sentence: null, fields: [] });
  const [words, setWords] = useState(null); // what the owner is editing (may hold unfinished clauses)
  const [said, setSaid] = useState(null); // the sentence of the expression the flow holds
  const [error, setError] = useState(null);
  const written = useRef(null); // the expression this editor wrote last: reading it back keeps the edit
  const latest = useRef(null); // the words last changed: quick successive picks build on each other
  const ours = useRef(new Set()); // names this editor gave the flow (the read sentence and its own)
  const sequence = useRef(0); // only the answer to the last change is written

  useEffect(() => {
    let live = true;
    api.post('/words/condition', withDraft({ expression }, ctx.draftId))
      .then((r) => {
        if (!live) return;
        setRead({ loading: false, ...r });
        setSaid(r.sentence);
        if (r.sentence) ours.current.add(r.sentence);
        if (written.current !== expression || !latest.current) {
          latest.current = r.words || (expression ? null : emptyWords());
          setWords(latest.current);
        }
      })
      .catch((e) => { if (live) { setRead({ loading: false, words: null, sentence: null, fields: [] }); setError(problemText(e)); } });
    return () => { live = false; };
  }, [expression, ctx.draftId]); // eslint-disable-line react-hooks/exhaustive-deps

  const write = async (change) => {
    const next = change(latest.current || words);
    latest.current = next;
    setWords(next);
    if (!next.clauses.every(complete)) return; // an unfinished clause is kept on the page, not written
    const mine = ++sequence.current;
    try {
      const out = await api.post('/words/condition/expression', withDraft(next, ctx.draftId));
      if (mine !== sequence.current) return;
      setError(null);
      written.current = out.expression;
      const name = bo.name || '';
      setExpression(editing, element, bo, 'conditionExpression', out.expression);
      // the outcome's words on the canvas, unless the owner named the flow otherwise
      if (out.sentence && (!name || ours.current.has(name))) {
        ours.current.add(out.sentence);
        modeling.updateProperties(element, { name: out.sentence });
      }
      setSaid(out.sentence);
    } catch (e) {
      if (mine === sequence.current) setError(problemText(e));
    }
  };

  if (read.loading) return muted('正在读取条件…');
  const fields = read.fields || [];
  if (!words) {
    return h('div', { 'data-testid': 'condition-words' },
      muted('此条件无法用文字表示，可在下方专家栏修改表达式。'),
      h('button', {
        type: 'button', class: 'govit-link', style: LINK_SPACING, 'data-testid': 'condition-start-words',
        onClick: () => write(() => emptyWords()),
      }, '改用文字重新设置'),
      error && h('p', { class: 'govit-error-text', role: 'alert' }, error));
  }
  const change = (n) => (patch) => write((w) => ({ ...w, clauses: w.clauses.map((c, i) => (i === n ? { ...c, ...patch } : c)) }));
  const remove = (n) => () => write((w) => ({ ...w, clauses: w.clauses.filter((_, i) => i !== n) }));
  return h('div', { class: 'govit-condition', 'data-testid': 'condition-words' },
    words.clauses.map((c, n) => h(ClauseRow, {
      key: n, id: `${id}-${n}`, n, clause: c, fields, onChange: change(n), onRemove: words.clauses.length > 1 ? remove(n) : null,
    })),
    words.clauses.length > 1 && Choice({
      id: `${id}-join`, label: '各条件之间', value: words.join || 'and', testid: 'condition-join',
      options: [{ value: 'and', label: '且（都成立）' }, { value: 'or', label: '或（任一成立）' }],
      onChange: (v) => write((w) => ({ ...w, join: v })),
    }),
    h('button', {
      type: 'button', class: 'govit-link', style: LINK_SPACING, 'data-testid': 'condition-add',
      onClick: () => write((w) => ({ ...w, clauses: [...w.clauses, emptyClause()] })),
    }, words.clauses.length > 1 ? '再添加一个条件' : '添加条件（且 / 或）'),
    said && h('p', { class: 'govit-sentence', 'data-testid': 'condition-sentence' }, `条件：${said}`),
    error && h('p', { class: 'govit-error-text', role: 'alert' }, error));
}

function emptyClause() {
  return { field: null, op: null, value: null, values: null };
}

function emptyWords() {
  return { join: 'and', clauses: [emptyClause()] };
}
