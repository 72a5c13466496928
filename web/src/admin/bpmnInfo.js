// Reading (and writing) what this product's bundles keep on a BPMN element: documentation,
// spiffworkflow extension elements, timers, conditions. `bo` is a bpmn-moddle business object.

export function extensionValues(bo) {
  return bo?.extensionElements?.values || [];
}

export function extensionOf(bo, type) {
  return extensionValues(bo).find((v) => v.$type === type) || null;
}

export function spiffProperties(bo) {
  const props = {};
  for (const p of extensionOf(bo, 'spiffworkflow:Properties')?.values || []) props[p.name] = p.value;
  return props;
}

export function timerOf(bo) {
  const def = (bo?.eventDefinitions || []).find((d) => d.$type === 'bpmn:TimerEventDefinition');
  if (!def) return null;
  for (const kind of ['timeDate', 'timeDuration', 'timeCycle']) {
    if (def[kind]) return { def, kind, expression: def[kind].body || '' };
  }
  return { def, kind: 'timeDate', expression: '' };
}

export const TIMER_KINDS = { timeDate: '到某一时间', timeDuration: '等待一段时长', timeCycle: '周期循环' };

export function laneOf(element) {
  // bpmn-js keeps lanes' flowNodeRef; find the lane whose flowNodeRef holds this node.
  const bo = element?.businessObject;
  const lanes = bo?.lanes;
  if (lanes && lanes.length) return lanes[0];
  return null;
}

// The names a version's files give the things an element points at (a read-only page shows
// these, never the file name or id): form file name → form title, decision id → decision name,
// process id → process name; `terms` adds every other name a documentation text may quote —
// diagram and table files, elements, messages, form fields and table outputs — with its
// Chinese name.
export function versionNames(files) {
  const names = { forms: {}, decisions: {}, processes: {}, terms: {} };
  const term = (key, name) => { if (key && name && !(key in names.terms)) names.terms[key] = name; };
  for (const [path, text] of Object.entries(files || {})) {
    const base = path.split('/').pop();
    if (path.endsWith('.schema.json') && !path.endsWith('.uischema.json')) {
      try {
        const schema = JSON.parse(text);
        names.forms[base] = schema.title || '';
        term(base, schema.title);
        for (const [field, spec] of Object.entries(schema.properties || {})) term(field, spec?.title);
      } catch (e) { /* unreadable: unnamed */ }
    } else if (path.endsWith('.dmn') || path.endsWith('.bpmn')) {
      const doc = new DOMParser().parseFromString(text || '', 'application/xml');
      const all = (tag) => [...doc.getElementsByTagNameNS('*', tag)];
      const [map, tag] = path.endsWith('.dmn') ? [names.decisions, 'decision'] : [names.processes, 'process'];
      for (const el of all(tag)) map[el.getAttribute('id')] = el.getAttribute('name') || '';
      term(base, all(tag).map((el) => el.getAttribute('name')).find(Boolean));
      for (const el of all('output')) term(el.getAttribute('name'), el.getAttribute('label'));
      for (const el of all('*')) term(el.getAttribute('id'), el.getAttribute('name'));
    }
  }
  try {
    for (const [id, m] of Object.entries(JSON.parse(files?.['manifest.json'] || '{}').messages || {})) term(id, m?.name);
  } catch (e) { /* no manifest: no message names */ }
  return names;
}

// A documentation text as people read it: a quoted file, id or field becomes its Chinese name in
// 「」; a call such as f(…) and a name nothing in the version names are left out.
export function docInWords(doc, names = {}) {
  const terms = names.terms || {};
  return (doc || '')
    .replace(/\b[a-z]\w*\([^()]*\)/g, '')
    .replace(/\b[\w-]+\.(?:bpmn|dmn|json)\b|\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b/g, (t) => (terms[t] ? `「${terms[t]}」` : ''))
    .replace(/\s+(?=[）)，。；、])|(?<=[（(])\s+/g, '')
    .replace(/[（(]\s*[）)]/g, '');
}

// The first clause of an element's documentation: what a script computes, said by its author.
function firstClause(doc) {
  return (doc || '').split(/[。；;\n]/).map((c) => c.trim()).find(Boolean) || '';
}

// An element's settings for read-only views, in words: [{ label, text, expert? }], where
// `expert` ({ label, parts: [{ label, code }] }) is the code a 专家 may unfold, never shown as
// text. `said` holds the sentences the server gave for the element's timer and condition
// (undefined while asked, null when they cannot be said in words).
export function describeInWords(bo, element, names = {}, said = {}, doc = '') {
  if (!bo) return [];
  const rows = [];
  const named = (map, key, unnamed) => (map && map[key]) || unnamed;
  const props = spiffProperties(bo);
  if (props.formJsonSchemaFilename) rows.push({ label: '表单', text: named(names.forms, props.formJsonSchemaFilename, '（未命名表单）') });
  const people = [['candidateUnitVariable', '办理单位'], ['candidateUserVariable', '办理人']].filter(([k]) => props[k]);
  for (const [key, label] of people) {
    rows.push({ label, text: '按流程规则确定', expert: { label: '专家：变量', parts: [{ label, code: props[key] }] } });
  }
  const decision = extensionOf(bo, 'spiffworkflow:CalledDecisionId');
  if (decision) rows.push({ label: '决策表', text: named(names.decisions, decision.value, '（未命名决策表）') });
  if (bo.calledElement) rows.push({ label: '调用流程', text: named(names.processes, bo.calledElement, '（未命名流程）') });
  const timer = timerOf(bo);
  if (timer) {
    rows.push({ label: `定时（${TIMER_KINDS[timer.kind]}）`, text: said.timer || '按流程规则计算的期限',
      expert: { label: '专家：定时表达式', parts: [{ label: '表达式', code: timer.expression }] } });
  }
  const msg = (bo.eventDefinitions || []).find((d) => d.$type === 'bpmn:MessageEventDefinition');
  if (msg) rows.push({ label: '消息', text: msg.messageRef?.name || '（未命名消息）' });
  if (bo.conditionExpression) {
    rows.push({ label: '条件', text: said.condition || '按流程规则判断',
      expert: { label: '专家：条件表达式', parts: [{ label: '表达式', code: bo.conditionExpression.body || '' }] } });
  }
  const scripts = [['脚本', bo.script], ['前置脚本', extensionOf(bo, 'spiffworkflow:PreScript')?.value],
    ['后置脚本', extensionOf(bo, 'spiffworkflow:PostScript')?.value]].filter(([, code]) => code);
  if (scripts.length) {
    rows.push({ label: '自动计算', text: firstClause(doc) || '按流程规则',
      expert: { label: '专家：脚本', parts: scripts.map(([label, code]) => ({ label, code })) } });
  }
  const loop = bo.loopCharacteristics;
  if (loop?.$type === 'bpmn:MultiInstanceLoopCharacteristics') {
    rows.push({ label: '多实例', text: `${loop.isSequential ? '逐一依次办理' : '同时分别办理'}，办理对象按流程规则确定`,
      expert: { label: '专家：集合', parts: [{ label: '集合', code: `${loop.loopDataInputRef?.id || '—'} → ${loop.loopDataOutputRef?.id || '—'}` }] } });
  }
  const lane = element ? laneOf(element) : null;
  if (lane) rows.push({ label: '泳道', text: lane.name || '（未命名泳道）' });
  return rows;
}

// Articles cited in a documentation text that the bundle's regulation text knows.
export function citedArticles(doc, articles) {
  if (!doc || !articles) return [];
  return articles.filter((a) => a.article && doc.includes(a.article));
}

// What a person calls a diagram or decision file: its process (or pool) or decision name,
// never its file name.
export function fileTitle(path, xml) {
  const kind = path.endsWith('.dmn') ? '决策表' : '流程图';
  let name = '';
  try {
    const doc = new DOMParser().parseFromString(xml || '', 'application/xml');
    const first = (tag) => [...doc.getElementsByTagNameNS('*', tag)].map((e) => e.getAttribute('name')).find(Boolean);
    name = path.endsWith('.dmn') ? (first('decision') || first('definitions')) : (first('process') || first('participant'));
  } catch (e) { /* unreadable XML: the kind alone */ }
  return name ? `${kind}：${name}` : kind;
}
