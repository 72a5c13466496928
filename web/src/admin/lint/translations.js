// Chinese for bpmn-js-bpmnlint's own UI and for every message of the rules the modeler runs
// (bpmnlint:recommended; the product's own rules in bpmnlint-plugin-govit are written in Chinese).
// The linting module passes each finding's message through the diagram-js `translate` service as
// the template, so the exact messages are keys here; the few that carry a name or an element type
// are matched by translateLintMessage below.
const LINT_ZH = {
  // bpmn-js-bpmnlint: the button, its tooltip and the overlay
  'Toggle linting overlays': '显示/隐藏检查结果',
  '{errors} Errors, {warnings} Warnings': '{errors} 个错误，{warnings} 个警告',
  'No Issues': '未发现问题',
  'Issues for child elements': '其中元素的问题',

  // bpmnlint:recommended
  'A <Start Event> is not allowed in <Ad Hoc Sub Process>': '自由子流程中不能有开始事件',
  'An <End Event> is not allowed in <Ad Hoc Sub Process>': '自由子流程中不能有结束事件',
  'Sequence flow is missing condition': '顺序流缺少条件：同一分支的其他流带条件或设了默认流，这条也须写条件',
  'Process is missing end event': '流程缺少结束事件',
  'Sub process is missing end event': '子流程缺少结束事件',
  'Process is missing start event': '流程缺少开始事件',
  'Sub process is missing start event': '子流程缺少开始事件',
  'An <Event-based Gateway> must have at least 2 outgoing <Sequence Flows>': '事件网关至少要有两条流出的顺序流',
  'A <Sequence Flow> outgoing from an <Event-based Gateway> must not be conditional': '从事件网关流出的顺序流不能带条件',
  'Start event is missing event definition': '事件子流程的开始事件须指定事件类型（如定时、消息）',
  'Incoming flows do not join': '多条流入的顺序流在此并不汇合：请在前面加一个汇合网关',
  'Element is missing name': '元素缺少名称',
  'Element is unused': '元素未被使用',
  'Element name is not unique': '元素名称重复',
  'Element is missing label/name': '元素缺少名称',
  'Link event is missing link name': '链接事件缺少链接名称',
  'Element is missing bpmndi': '元素在图中没有图形',
  'Element is not connected': '元素没有连接任何顺序流',
  'SequenceFlow is a duplicate': '顺序流重复',
  'Duplicate outgoing sequence flows': '有重复的流出顺序流',
  'Duplicate incoming sequence flows': '有重复的流入顺序流',
  'Gateway forks and joins': '网关同时汇合又分支：请拆成一个汇合网关和一个分支网关',
  'Element is an implicit end': '元素没有流出的顺序流（隐式结束）：请连到结束事件',
  'Flow splits implicitly': '顺序流隐式分支：请用网关分支',
  'Element is an implicit start': '元素没有流入的顺序流（隐式开始）：请从开始事件连入',
  'Element type <bpmn:InclusiveGateway> is discouraged': '不建议使用包容网关',
  'Element type <bpmn:ComplexGateway> is discouraged': '不建议使用复杂网关',
  'Element overlaps with other element': '元素与其他元素重叠',
  'Element is outside of parent boundary': '元素超出所属容器的边界',
  'Process has multiple blank start events': '流程有多个无类型的开始事件',
  'Sub process has multiple blank start events': '子流程有多个无类型的开始事件',
  'Event has multiple event definitions': '事件指定了多个事件类型',
  'Start event must be blank': '子流程的开始事件不能指定事件类型',
  'Gateway is superfluous. It only has one source and target.': '网关多余：只有一条流入和一条流出',
  'Sequence flow has superfluous label': '顺序流的标签多余：只有从排他网关分支、带条件或默认的顺序流才标注名称，其余说明请写在目标环节的名称或说明中',
  'Termination is superfluous.': '终止结束事件多余',
  'Conditional event is missing a condition': '条件事件缺少条件',
};

// Messages that carry a link name: `<name>` is kept, the rest is translated.
const LINK_PATTERNS = [
  [/^Link catch event with link name <(.*)> missing in scope$/, (name) => `找不到链接名称为“${name}”的链接捕获事件`],
  [/^Link throw event with link name <(.*)> missing in scope$/, (name) => `找不到链接名称为“${name}”的链接抛出事件`],
  [/^Duplicate link catch event with link name <(.*)> in scope$/, (name) => `链接名称“${name}”有多个链接捕获事件`],
];

/** The Chinese text of one lint message (or UI string); unknown text is returned unchanged. */
export function translateLintMessage(message) {
  if (Object.prototype.hasOwnProperty.call(LINT_ZH, message)) return LINT_ZH[message];
  for (const [pattern, render] of LINK_PATTERNS) {
    const match = pattern.exec(message);
    if (match) return render(match[1]);
  }
  return message;
}

export default LINT_ZH;
