// 基本信息: the process name for the whole diagram, the description (documentation after its
// citation head) and 条文依据 — the articles picked from the regulation text's article list, shown
// with their text and written at the head of the documentation as the bundles write them.
import { TextAreaEntry } from '@bpmn-io/properties-panel';
import { documentationText, setDocumentation } from '../moddleEdit.js';
import { joinCitation, splitCitation } from '../citations.js';
import { Fact, h, muted, useEditing, useService } from './common.js';

function knownIds(ctx) {
  return (ctx.vocabulary.articles || []).map((a) => a.id);
}

/** The name of a process shown for the whole diagram (a collaboration's participant and its
 * process carry the same name in every bundle; both change together). */
export function ProcessNameEntry({ element, id, participant }) {
  const modeling = useService('modeling');
  const debounce = useService('debounceInput');
  const process = participant.businessObject.processRef;
  return TextAreaEntry({
    element, id, label: '流程名称', debounce, autoResize: true,
    getValue: () => process?.name || participant.businessObject.name || '',
    setValue: (value) => {
      const same = (participant.businessObject.name || '') === (process?.name || '');
      if (process) modeling.updateModdleProperties(participant, process, { name: value });
      if (same || !process) modeling.updateProperties(participant, { name: value });
    },
  });
}

/** 说明: the documentation after its citation head. */
export function DescriptionEntry({ element, id, target }) {
  const editing = useEditing();
  const debounce = useService('debounceInput');
  const ctx = useService('govitContext');
  return TextAreaEntry({
    element, id, label: '说明', debounce, autoResize: true, rows: 3,
    getValue: () => splitCitation(documentationText(target), knownIds(ctx)).text,
    setValue: (value) => {
      const { articles } = splitCitation(documentationText(target), knownIds(ctx));
      setDocumentation(editing, element, target, joinCitation(articles, value));
    },
  });
}

function bodyOf(article) {
  const text = (article?.text || '').replace(/\s+/g, ' ').trim();
  return text.startsWith(article.id) ? text.slice(article.id.length).trim() : text;
}

function short(text, size = 36) {
  return text.length > size ? `${text.slice(0, size)}…` : text;
}

// Without a citation head, the articles the description names in its text, if any.
function mentioned(doc, articles) {
  const named = articles.filter((a) => a.id.length > 1 && doc.includes(a.id)).map((a) => a.id);
  return named.length ? `说明中提到 ${named.join('、')}；从下方添加的条文写在说明开头。` : '尚未引用条文。';
}

/** 条文依据: picked articles with their text; 添加条文 from the article list; 移除. */
export function ArticlesEntry({ element, id, target }) {
  const editing = useEditing();
  const ctx = useService('govitContext');
  const articles = ctx.vocabulary.articles || [];
  const order = new Map(articles.map((a, i) => [a.id, i]));
  const byId = new Map(articles.map((a) => [a.id, a]));
  const { articles: picked, text } = splitCitation(documentationText(target), knownIds(ctx));
  const write = (next) => {
    const sorted = [...next].sort((a, b) => (order.get(a) ?? Infinity) - (order.get(b) ?? Infinity));
    setDocumentation(editing, element, target, joinCitation(sorted, text));
  };
  const choices = articles.filter((a) => !picked.includes(a.id));
  return h('div', { class: 'bio-properties-panel-entry govit-articles', 'data-entry-id': id, 'data-testid': 'article-picker' },
    h('label', { class: 'bio-properties-panel-label', for: `govit-${id}` }, '条文依据'),
    picked.length
      ? h('ul', { class: 'govit-article-list' }, picked.map((a) => h('li', { key: a, 'data-testid': 'cited-article' },
        h('div', { class: 'govit-article-head' },
          h('strong', null, a),
          h('button', { type: 'button', class: 'govit-link', onClick: () => write(picked.filter((p) => p !== a)) }, '移除')),
        h('div', { class: 'govit-article-text' }, byId.has(a) ? bodyOf(byId.get(a)) : '（法规原文中没有找到这一条）'))))
      : muted(mentioned(documentationText(target), articles)),
    h('select', {
      id: `govit-${id}`, class: 'bio-properties-panel-input', value: '', 'aria-label': '添加条文',
      disabled: !articles.length, 'data-testid': 'article-add',
      onChange: (e) => { if (e.target.value) write([...picked, e.target.value]); },
    },
    h('option', { value: '' }, articles.length ? '添加条文…' : (ctx.vocabularyLoaded ? '法规原文中没有可引用的条文' : '正在载入法规条文…')),
    choices.map((a) => h('option', { value: a.id, key: a.id }, `${a.id}　${short(bodyOf(a))}`))));
}

/** The lane a flow node lies in (bpmn-js keeps a lane's flowNodeRef). */
export function laneOf(element, elementRegistry) {
  const bo = element.businessObject;
  return elementRegistry.find((e) => e.type === 'bpmn:Lane' && (e.businessObject.flowNodeRef || []).includes(bo)) || null;
}

/** 办理科室: the office (lane) a task lies in and the role that does its work. */
export function OfficeEntry({ element, id }) {
  const registry = useService('elementRegistry');
  const ctx = useService('govitContext');
  const lane = laneOf(element, registry);
  if (!lane) return Fact({ id, label: '办理科室', value: '（不在任何泳道中）' });
  const name = lane.businessObject.name || '（未命名泳道）';
  const roleId = ctx.manifest?.lanes?.[lane.businessObject.name || ''];
  const role = ctx.roles().find((r) => r.id === roleId);
  return Fact({ id, label: '办理科室', value: role ? `${name}（角色：${role.name}）` : name, testid: 'task-office' });
}
