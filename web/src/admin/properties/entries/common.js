// Small pieces the product's panel entries share: the bpmn-js services a change goes through,
// a folded 专家 section, and a text box for expressions that commits after typing pauses.
import { h } from '@bpmn-io/properties-panel/preact';
import { useEffect, useRef, useState } from '@bpmn-io/properties-panel/preact/hooks';
import { useService } from 'bpmn-js-properties-panel';
import { getBusinessObject } from 'bpmn-js/lib/util/ModelUtil';

export { h, getBusinessObject, useService };

/** {modeling, moddle}: what moddleEdit.js writes through. */
export function useEditing() {
  return { modeling: useService('modeling'), moddle: useService('moddle') };
}

export function muted(text, extra = {}) {
  return h('p', { class: 'govit-muted', ...extra }, text);
}

/** A read-only line: label and value. */
export function Fact({ id, label, value, testid }) {
  return h('div', { class: 'bio-properties-panel-entry govit-fact', 'data-entry-id': id, 'data-testid': testid },
    h('span', { class: 'bio-properties-panel-label' }, label),
    h('div', { class: 'govit-fact-value' }, value));
}

/** A folded section for what only an expert edits (expressions, variable names). */
export function Expert({ summary, open = false, children, testid }) {
  return h('details', { class: 'govit-expert', open, 'data-testid': testid },
    h('summary', null, `专家：${summary}`), children);
}

const PAUSE_MS = 400;

/** A monospace text box whose value is committed (`onCommit(text)`) once typing pauses, when it
 * loses the focus, or when it goes away before the pause ends (give it the element's id as `key`,
 * so that moving to another element replaces it). */
export function ExpressionBox({ id, label, value, onCommit, rows = 3, testid }) {
  const [text, setText] = useState(value || '');
  const timer = useRef(null);
  const pending = useRef(null); // {text, commit}: typed and not yet committed
  const committed = useRef(value || '');
  const flush = () => {
    clearTimeout(timer.current);
    if (pending.current === null) return;
    const { text: next, commit } = pending.current;
    pending.current = null;
    committed.current = next;
    commit(next);
  };
  useEffect(() => {
    if ((value || '') !== committed.current && pending.current === null) {
      committed.current = value || '';
      setText(value || '');
    }
  }, [value]);
  useEffect(() => flush, []); // eslint-disable-line react-hooks/exhaustive-deps
  const onInput = (e) => {
    pending.current = { text: e.target.value, commit: onCommit };
    setText(e.target.value);
    clearTimeout(timer.current);
    timer.current = setTimeout(flush, PAUSE_MS);
  };
  return h('div', { class: 'bio-properties-panel-entry', 'data-entry-id': id },
    h('label', { class: 'bio-properties-panel-label', for: `govit-${id}` }, label),
    h('textarea', {
      id: `govit-${id}`, class: 'bio-properties-panel-input govit-code', rows, spellcheck: false,
      value: text, onInput, onBlur: flush, 'data-testid': testid,
    }));
}

/** A native select with a label above it; options [{value, label}]. */
export function Choice({ id, label, value, options, onChange, testid, disabled = false }) {
  return h('div', { class: 'bio-properties-panel-entry', 'data-entry-id': id },
    h('label', { class: 'bio-properties-panel-label', for: `govit-${id}` }, label),
    h('select', {
      id: `govit-${id}`, class: 'bio-properties-panel-input', value: value ?? '', disabled,
      onChange: (e) => onChange(e.target.value), 'data-testid': testid,
    }, options.map((o) => h('option', { value: o.value, key: o.value }, o.label))));
}

/** Other entries (`entries`: the standard panel's), folded as an expert's under `label`. */
export function FoldedEntries({ element, label, entries }) {
  return Expert({
    summary: label,
    children: entries.map((entry) => h(entry.component, { ...entry, element, key: entry.id })),
  });
}
