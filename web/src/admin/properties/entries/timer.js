// 定时: a timer's deadline as a sentence — 「N 个工作日」「N 个月」「每季度末」「每月末」「到某日」,
// counted from when the waiting starts or from a date field — picked from controls. The server
// reads the expression into words (POST /words/timer) and writes the expression for the words
// (POST /words/timer/expression) on the China working-day calendar; an expression that is no
// sentence stays editable in the folded 专家 field.
import { useEffect, useRef, useState } from '@bpmn-io/properties-panel/preact/hooks';
import { TIMER_KINDS, timerOf } from '../../bpmnInfo.js';
import { setExpression } from '../moddleEdit.js';
import { Choice, Expert, ExpressionBox, h, muted, useEditing, useService } from './common.js';

const TIMER_PROPS = Object.keys(TIMER_KINDS);

export const DEADLINE_KINDS = [
  { value: 'working_days', label: 'N 个工作日', counted: true },
  { value: 'days', label: 'N 天', counted: true },
  { value: 'months', label: 'N 个月', counted: true },
  { value: 'years', label: 'N 年', counted: true },
  { value: 'quarter_end', label: '每季度末' },
  { value: 'month_end', label: '每月末' },
  { value: 'date', label: '到某日' },
  { value: 'field', label: '到某日期字段所填的日期' },
];
const COUNTED = new Set(DEADLINE_KINDS.filter((k) => k.counted).map((k) => k.value));
const PAUSE_MS = 500;

function problemText(e) {
  const fields = (e.errors || []).map((x) => x.message).filter(Boolean);
  return fields.length ? fields.join('；') : (e.message || '服务端无法写出此期限');
}

/** The words of one change to `words` (a new kind keeps what still applies). */
function nextWords(words, change, dateFields) {
  const next = { kind: 'working_days', n: null, from_field: null, date: null, ...(words || {}), ...change };
  if ('n' in change) next.n_field = null; // a number typed replaces a count the case held
  if (COUNTED.has(next.kind)) {
    if (!(Number.isInteger(next.n) && next.n > 0) && !next.n_field) next.n = 5;
    next.date = null;
  } else {
    next.n = null;
    next.n_field = null;
    if (next.kind !== 'field') next.from_field = null;
    if (next.kind !== 'date') next.date = null;
  }
  if (next.kind === 'field' && !next.from_field) next.from_field = dateFields[0]?.name || null;
  if (next.kind === 'date' && !next.date) next.date = new Date().toISOString().slice(0, 10);
  return next;
}

/** The panel keeps one entry component while it moves between timers: start afresh for each. */
export function TimerEntry({ element, id }) {
  return h(TimerWords, { key: element.id, element, id });
}

function TimerWords({ element, id }) {
  const editing = useEditing();
  const ctx = useService('govitContext');
  const timer = timerOf(element.businessObject);
  const expression = timer?.expression || '';
  const [read, setRead] = useState({ loading: true, words: null, sentence: null });
  const [error, setError] = useState(null);
  const pending = useRef(null);
  const latest = useRef(null); // the words last written: quick successive changes build on each other
  const writing = useRef(0);

  useEffect(() => {
    let live = true;
    setRead((r) => ({ ...r, loading: true }));
    if (!expression) {
      setRead({ loading: false, words: null, sentence: null });
      return undefined;
    }
    ctx.timerWords(expression)
      .then((r) => {
        if (!live) return;
        if (!writing.current) latest.current = r.words;
        setRead({ loading: false, words: r.words, sentence: r.sentence });
      })
      .catch((e) => { if (live) { setRead({ loading: false, words: null, sentence: null }); setError(problemText(e)); } });
    return () => { live = false; };
  }, [expression, ctx.draftId]);
  useEffect(() => () => clearTimeout(pending.current), []);

  if (!timer) return null;
  const dateFields = ctx.vocabulary.date_fields || [];
  const words = read.words;

  const write = async (change) => {
    const before = latest.current || words;
    const next = nextWords(before, change, dateFields);
    latest.current = next;
    writing.current += 1;
    try {
      const out = await ctx.timerExpression(next);
      setError(null);
      setExpression(editing, element, timer.def, 'timeDate', out.expression, TIMER_PROPS);
    } catch (e) {
      latest.current = before;
      setError(problemText(e));
    } finally {
      writing.current -= 1;
    }
  };
  const writeLater = (change) => {
    clearTimeout(pending.current);
    pending.current = setTimeout(() => write(change), PAUSE_MS);
  };

  const kind = words?.kind || '';
  const kindOptions = [...(words ? [] : [{ value: '', label: read.loading ? '正在读取…' : '（无法用句子表示）' }]),
    ...DEADLINE_KINDS.map((k) => ({ value: k.value, label: k.label }))];
  const fieldOptions = dateFields.map((f) => ({ value: f.name, label: f.label || '（未命名日期）' }));
  if (words?.from_field && !dateFields.some((f) => f.name === words.from_field)) {
    fieldOptions.push({ value: words.from_field, label: '（表单中没有此日期）' });
  }
  return h('div', { class: 'govit-timer', 'data-testid': 'timer-words' },
    Choice({ id: `${id}-kind`, label: '期限', value: kind, options: kindOptions, onChange: (v) => v && write({ kind: v }), testid: 'timer-kind' }),
    COUNTED.has(kind) && h('div', { class: 'bio-properties-panel-entry' },
      h('label', { class: 'bio-properties-panel-label', for: `govit-${id}-n` }, '数量'),
      h('input', {
        id: `govit-${id}-n`, type: 'number', min: 1, step: 1, class: 'bio-properties-panel-input', value: words.n ?? '',
        placeholder: words.n_field ? '按流程算出' : '', 'data-testid': 'timer-n',
        onInput: (e) => { const n = parseInt(e.target.value, 10); if (n > 0) writeLater({ n }); },
      })),
    COUNTED.has(kind) && Choice({
      id: `${id}-from`, label: '起算', value: words.from_field || '', testid: 'timer-from',
      options: [{ value: '', label: '自开始等待之日' }, ...fieldOptions.map((f) => ({ ...f, label: `自${f.label}` }))],
      onChange: (v) => write({ from_field: v || null }),
    }),
    kind === 'date' && h('div', { class: 'bio-properties-panel-entry' },
      h('label', { class: 'bio-properties-panel-label', for: `govit-${id}-date` }, '日期'),
      h('input', {
        id: `govit-${id}-date`, type: 'date', class: 'bio-properties-panel-input', value: words.date || '',
        onChange: (e) => e.target.value && write({ date: e.target.value }),
      })),
    kind === 'field' && Choice({
      id: `${id}-field`, label: '日期字段', value: words.from_field || '', options: fieldOptions,
      onChange: (v) => write({ from_field: v }),
    }),
    (COUNTED.has(kind) || kind === 'field') && h('label', { class: 'govit-check' },
      h('input', { type: 'checkbox', checked: Boolean(words.working_day), onChange: (e) => write({ working_day: e.target.checked }) }),
      ' 到期日遇节假日顺延至工作日'),
    kind && kind !== 'working_days' && kind !== 'quarter_end' && kind !== 'month_end' && Choice({
      id: `${id}-at`, label: '到期时刻', value: words.at || (COUNTED.has(kind) ? 'start' : 'end'), testid: 'timer-at',
      options: [{ value: 'start', label: '到期日零时（当日开始）' }, { value: 'end', label: '到期日结束时' }],
      onChange: (v) => write({ at: v }),
    }),
    read.sentence && h('p', { class: 'govit-sentence', 'data-testid': 'timer-sentence' }, `期限：${read.sentence}`),
    !read.loading && !words && expression && muted('此期限无法用句子表示，可在下方专家栏修改表达式。'),
    error && h('p', { class: 'govit-error-text', role: 'alert' }, error),
    Expert({
      summary: '表达式',
      open: !read.loading && !words,
      testid: 'timer-expert',
      children: [
        Choice({
          id: `${id}-type`, label: '定时方式', value: timer.kind,
          options: TIMER_PROPS.map((k) => ({ value: k, label: TIMER_KINDS[k] })),
          onChange: (v) => setExpression(editing, element, timer.def, v, expression, TIMER_PROPS),
        }),
        h(ExpressionBox, {
          key: `${element.id}-expression`, id: `${id}-expression`, label: '表达式', value: expression, testid: 'timer-expression',
          onCommit: (v) => setExpression(editing, element, timer.def, timer.kind, v.trim(), TIMER_PROPS),
        }),
      ],
    }));
}
