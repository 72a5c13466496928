// The product's groups in the standard bpmn.io properties panel. bpmn-js-properties-panel's own
// provider runs first; this one rearranges its groups for an official: 基本信息 (名称, 说明,
// 条文依据, 办理科室), 泳道 (角色), 表单, 定时 (a sentence), 脚本, 条件, 默认分支, 决策, 调用流程,
// 多实例, then the standard message / signal / error groups. Ids, the executable flag and raw
// timer fields are left out: officials read names, not identifiers.
import { Group } from '@bpmn-io/properties-panel';
import { getBusinessObject, is, isAny } from 'bpmn-js/lib/util/ModelUtil';
import { timerOf } from '../bpmnInfo.js';
import { ArticlesEntry, DescriptionEntry, OfficeEntry, ProcessNameEntry } from './entries/basics.js';
import { CandidateEntry, FormEntry } from './entries/forms.js';
import { LaneRoleEntry } from './entries/lanes.js';
import {
  CalledProcessEntry, ConditionEntry, DecisionEntry, DefaultFlowEntry, MultiInstanceEntry, PrePostScriptEntry, ScriptEntry,
} from './entries/logic.js';
import { TimerEntry } from './entries/timer.js';
import { ConditionWordsEntry } from './entries/conditionWords.js';
import { FoldedEntries } from './entries/common.js';

const AFTER_THE_STANDARD_PROVIDER = 500;
const KEPT_GENERAL = new Set(['name', 'processName']);
const REPLACED = new Set(['general', 'documentation', 'timer', 'multiInstance']);
const UNDOCUMENTED = ['bpmn:TextAnnotation', 'bpmn:Group', 'bpmn:Association', 'bpmn:DataAssociation'];

function group(id, label, entries) {
  return entries.length ? { id, label, entries, component: Group, shouldOpen: true } : null;
}

/** The participant whose process a collaboration diagram shows (the bundles have one). */
export function mainParticipant(root) {
  const participants = (root.children || []).filter((c) => c.type === 'bpmn:Participant');
  return participants.find((p) => p.businessObject.processRef?.isExecutable) || participants[0] || null;
}

function documentation(target) {
  return [
    { id: 'govitDescription', component: DescriptionEntry, target },
    { id: 'govitArticles', component: ArticlesEntry, target },
  ];
}

function basics(element, standard) {
  const bo = getBusinessObject(element);
  if (is(element, 'bpmn:Collaboration')) {
    const participant = mainParticipant(element);
    if (!participant) return [];
    return [{ id: 'govitProcessName', component: ProcessNameEntry, participant },
      ...documentation(participant.businessObject.processRef || participant.businessObject)];
  }
  const entries = (standard.general?.entries || []).filter((e) => KEPT_GENERAL.has(e.id));
  if (!isAny(element, UNDOCUMENTED)) {
    entries.push(...documentation(is(element, 'bpmn:Participant') && bo.processRef ? bo.processRef : bo));
  }
  if (is(element, 'bpmn:Activity')) entries.push({ id: 'govitOffice', component: OfficeEntry });
  return entries;
}

function hasForm(element) {
  const bo = getBusinessObject(element);
  return is(element, 'bpmn:UserTask') || (is(element, 'bpmn:StartEvent') && !(bo.eventDefinitions || []).length);
}

function specific(element, standard) {
  const bo = getBusinessObject(element);
  const out = [];
  if (is(element, 'bpmn:Lane')) out.push(group('govitLane', '泳道', [{ id: 'govitLaneRole', component: LaneRoleEntry }]));
  if (hasForm(element)) {
    out.push(group('govitForm', '表单', [
      { id: 'govitFormFile', component: FormEntry },
      ...(is(element, 'bpmn:UserTask') ? [{ id: 'govitCandidates', component: CandidateEntry }] : []),
    ]));
  }
  if (timerOf(bo)) out.push(group('timer', '定时', [{ id: 'govitTimer', component: TimerEntry }]));
  if (is(element, 'bpmn:BusinessRuleTask')) out.push(group('govitDecision', '决策', [{ id: 'govitCalledDecision', component: DecisionEntry }]));
  if (is(element, 'bpmn:CallActivity')) out.push(group('govitCall', '调用流程', [{ id: 'govitCalledElement', component: CalledProcessEntry }]));
  if (is(element, 'bpmn:SequenceFlow')) out.push(group('govitCondition', '条件', [
    { id: 'govitConditionWords', component: ConditionWordsEntry },
    { id: 'govitConditionExpression', component: ConditionEntry },
  ]));
  if (isAny(element, ['bpmn:ExclusiveGateway', 'bpmn:InclusiveGateway']) && (bo.outgoing || []).length > 1) {
    out.push(group('govitDefault', '默认分支', [{ id: 'govitDefaultFlow', component: DefaultFlowEntry }]));
  }
  if (is(element, 'bpmn:Activity') && !is(element, 'bpmn:SubProcess')) {
    out.push(group('govitScript', '脚本', [
      ...(is(element, 'bpmn:ScriptTask') ? [{ id: 'govitScriptBody', component: ScriptEntry }] : []),
      { id: 'govitPrePost', component: PrePostScriptEntry },
    ]));
  }
  if (is(bo.loopCharacteristics, 'bpmn:MultiInstanceLoopCharacteristics')) {
    out.push(group('multiInstance', '多实例', [
      { id: 'govitMultiInstance', component: MultiInstanceEntry },
      ...(standard.multiInstance?.entries || []),
    ]));
  }
  return out;
}

// The standard message / signal / error / escalation / link groups name the engine's codes (a
// message's or signal's name is what processes match on): kept whole, folded as an expert's.
function folded(standardGroup) {
  const entry = { id: `${standardGroup.id}Expert`, component: FoldedEntries, label: standardGroup.label, entries: standardGroup.entries };
  return { ...standardGroup, entries: [entry], shouldOpen: true };
}

export function arrange(element, groups) {
  const standard = Object.fromEntries(groups.map((g) => [g.id, g]));
  const rest = groups.filter((g) => !REPLACED.has(g.id)).map(folded);
  return [group('general', '基本信息', basics(element, standard)), ...specific(element, standard), ...rest].filter(Boolean);
}

export default class GovitPropertiesProvider {
  constructor(propertiesPanel) {
    propertiesPanel.registerProvider(AFTER_THE_STANDARD_PROVIDER, this);
  }

  getGroups(element) {
    return (groups) => arrange(element, groups);
  }
}

GovitPropertiesProvider.$inject = ['propertiesPanel'];
