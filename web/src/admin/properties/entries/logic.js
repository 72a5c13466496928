// What a step computes or decides: 脚本 (a script task's script, an activity's pre/post script),
// 条件 (a sequence flow's condition, a gateway's default branch), 决策 (the decision table a
// business rule task calls, chosen by its Chinese name), 调用流程 (the process a call activity
// starts, by its name) and 多实例 (one task per item of a list). Scripts and conditions are
// expressions: expert fields, labelled in Chinese.
import { extensionOf } from '../../bpmnInfo.js';
import { setBodyExtension, setExpression } from '../moddleEdit.js';
import { Choice, Expert, ExpressionBox, Fact, h, muted, useEditing, useService } from './common.js';

export function ScriptEntry({ element, id }) {
  const modeling = useService('modeling');
  return h(ExpressionBox, {
    key: element.id, id, label: '专家：脚本', value: element.businessObject.script || '', rows: 6, testid: 'script',
    onCommit: (v) => modeling.updateProperties(element, { script: v }),
  });
}

export function PrePostScriptEntry({ element, id }) {
  const editing = useEditing();
  const bo = element.businessObject;
  const set = (type) => (v) => setBodyExtension(editing, element, bo, type, v.trim() ? v : '');
  const pre = extensionOf(bo, 'spiffworkflow:PreScript')?.value || '';
  const post = extensionOf(bo, 'spiffworkflow:PostScript')?.value || '';
  return Expert({
    summary: '前置 / 后置脚本',
    open: false,
    children: [
      h(ExpressionBox, { key: `${element.id}-pre`, id: `${id}-pre`, label: '开始前执行的脚本', value: pre, onCommit: set('spiffworkflow:PreScript') }),
      h(ExpressionBox, { key: `${element.id}-post`, id: `${id}-post`, label: '完成后执行的脚本', value: post, onCommit: set('spiffworkflow:PostScript') }),
    ],
  });
}

function isDefaultFlow(bo) {
  return bo.sourceRef?.default === bo;
}

export function ConditionEntry({ element, id }) {
  const editing = useEditing();
  const modeling = useService('modeling');
  const bo = element.businessObject;
  if (isDefaultFlow(bo)) return muted('这是默认分支：其他分支的条件都不成立时走此分支，无需条件。');
  const fromGateway = /Gateway$/.test(bo.sourceRef?.$type || '');
  return h('div', null,
    h(ExpressionBox, {
      key: element.id, id, label: '专家：条件表达式', value: bo.conditionExpression?.body || '', testid: 'condition',
      onCommit: (v) => (v.trim()
        ? setExpression(editing, element, bo, 'conditionExpression', v)
        : modeling.updateProperties(element, { conditionExpression: undefined })),
    }),
    fromGateway ? muted('顺序流的名称应以文字说明此条件，如“50万元以上”。') : muted('起点不是网关：通常不需要条件。'));
}

function flowLabel(flow) {
  return flow.name || `转到「${flow.targetRef?.name || '未命名环节'}」`;
}

export function DefaultFlowEntry({ element, id }) {
  const modeling = useService('modeling');
  const bo = element.businessObject;
  const outgoing = bo.outgoing || [];
  const options = [{ value: '', label: '（无默认分支）' }, ...outgoing.map((f, i) => ({ value: String(i), label: flowLabel(f) }))];
  const index = outgoing.indexOf(bo.default);
  return h('div', null,
    Choice({
      id, label: '默认分支', value: index >= 0 ? String(index) : '', options, testid: 'default-flow',
      onChange: (v) => {
        const flow = v === '' ? undefined : outgoing[Number(v)];
        modeling.updateProperties(element, { default: flow });
      },
    }),
    muted('其他分支的条件都不成立时走的分支。'));
}

function nameChoice({ id, label, current, items, onChange, testid, missing }) {
  const options = [{ value: '', label: '（未选择）' }, ...items.map((d) => ({ value: d.id, label: d.name || '（未命名）' }))];
  if (current && !items.some((d) => d.id === current)) options.push({ value: current, label: missing });
  return Choice({ id, label, value: current || '', options, onChange, testid });
}

export function DecisionEntry({ element, id }) {
  const editing = useEditing();
  const ctx = useService('govitContext');
  const bo = element.businessObject;
  return nameChoice({
    id, label: '决策表', current: extensionOf(bo, 'spiffworkflow:CalledDecisionId')?.value, items: ctx.decisionList(),
    testid: 'called-decision', missing: '（草稿中没有此决策表）',
    onChange: (v) => setBodyExtension(editing, element, bo, 'spiffworkflow:CalledDecisionId', v),
  });
}

export function CalledProcessEntry({ element, id }) {
  const modeling = useService('modeling');
  const ctx = useService('govitContext');
  return nameChoice({
    id, label: '调用的流程', current: element.businessObject.calledElement, items: ctx.processList(),
    testid: 'called-process', missing: '（草稿中没有此流程）',
    onChange: (v) => modeling.updateProperties(element, { calledElement: v || undefined }),
  });
}

export function MultiInstanceEntry({ element, id }) {
  const modeling = useService('modeling');
  const loop = element.businessObject.loopCharacteristics;
  const ref = (r) => r?.name || r?.id || '—';
  return h('div', null,
    Choice({
      id, label: '办理方式', value: loop.isSequential ? 'sequential' : 'parallel', testid: 'multi-instance',
      options: [{ value: 'parallel', label: '同时办理（每项一份任务）' }, { value: 'sequential', label: '依次办理（一项完成再办下一项）' }],
      onChange: (v) => modeling.updateModdleProperties(element, loop, { isSequential: v === 'sequential' }),
    }),
    Expert({
      summary: '多实例的数据',
      children: [
        Fact({ id: `${id}-in`, label: '逐项办理的列表', value: ref(loop.loopDataInputRef) }),
        Fact({ id: `${id}-item`, label: '每项的变量', value: ref(loop.inputDataItem) }),
        Fact({ id: `${id}-out`, label: '汇总结果的列表', value: ref(loop.loopDataOutputRef) }),
        Fact({ id: `${id}-out-item`, label: '每项结果的变量', value: ref(loop.outputDataItem) }),
      ],
    }));
}
