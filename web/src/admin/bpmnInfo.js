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

// Chinese description lines of an element for read-only views: [[label, value]].
export function describe(bo, element) {
  if (!bo) return [];
  const rows = [];
  const props = spiffProperties(bo);
  if (props.formJsonSchemaFilename) rows.push(['表单', props.formJsonSchemaFilename]);
  if (props.formUiSchemaFilename) rows.push(['界面表单', props.formUiSchemaFilename]);
  if (props.candidateUnitVariable) rows.push(['办理单位变量', props.candidateUnitVariable]);
  if (props.candidateUserVariable) rows.push(['办理人变量', props.candidateUserVariable]);
  const decision = extensionOf(bo, 'spiffworkflow:CalledDecisionId');
  if (decision) rows.push(['决策表', decision.value]);
  if (bo.calledElement) rows.push(['调用流程', bo.calledElement]);
  const timer = timerOf(bo);
  if (timer) rows.push([`定时器 ${timer.kind}`, timer.expression]);
  const msg = (bo.eventDefinitions || []).find((d) => d.$type === 'bpmn:MessageEventDefinition');
  if (msg) rows.push(['消息', msg.messageRef?.name || msg.messageRef?.id || '—']);
  if (bo.conditionExpression) rows.push(['条件', bo.conditionExpression.body || '']);
  if (bo.script) rows.push(['脚本', bo.script]);
  const pre = extensionOf(bo, 'spiffworkflow:PreScript');
  if (pre) rows.push(['前置脚本', pre.value]);
  const post = extensionOf(bo, 'spiffworkflow:PostScript');
  if (post) rows.push(['后置脚本', post.value]);
  const loop = bo.loopCharacteristics;
  if (loop?.$type === 'bpmn:MultiInstanceLoopCharacteristics') {
    rows.push(['多实例', `${loop.isSequential ? '串行' : '并行'}；集合 ${loop.loopDataInputRef?.id || '—'} → ${loop.loopDataOutputRef?.id || '—'}`]);
  }
  if (element) {
    const lane = laneOf(element);
    if (lane) rows.push(['泳道', lane.name || lane.id]);
  }
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
