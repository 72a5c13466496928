import React from 'react';
import { formatDate } from '../format.js';

// Shared bits of the process owners' and administrators' pages.

// useLoad(() => api.get('/x'), [dep]) → {data, error, loading, reload, setData}: the staff pages'
// resource hook, under the name these pages use.
export { Loading, ProblemBox, useResource as useLoad } from '../components/ui.jsx';

export const VERSION_STATUS_BADGE = {
  in_force: 'green', scheduled: 'blue', superseded: '', expired: 'red',
};

export function VersionStatus({ v }) {
  return <span className={`badge ${VERSION_STATUS_BADGE[v.status] ?? ''}`}>{v.status_label || v.status}</span>;
}

export function Tabs({ items, active, onChange, testid }) {
  return (
    <div className="admin-tabs" role="tablist" data-testid={testid}>
      {items.map((it) => (
        <button key={it.key} type="button" role="tab" aria-selected={it.key === active} data-key={it.key}
          className={it.key === active ? 'active' : ''} onClick={() => onChange(it.key)} title={it.title || it.label}>
          {it.label}{it.dirty ? ' ●' : ''}
        </button>
      ))}
    </div>
  );
}

// Files of a bundle by kind, in manifest order where the manifest names them.
export function classifyFiles(files) {
  const paths = Object.keys(files || {});
  let manifest = null;
  try { manifest = files['manifest.json'] ? JSON.parse(files['manifest.json']) : null; } catch (e) { manifest = null; }
  const order = (list, ext) => {
    const named = (manifest && manifest[list]) || [];
    const rest = paths.filter((p) => p.endsWith(ext) && !named.includes(p)).sort();
    return [...named.filter((p) => p in files), ...rest];
  };
  const bpmn = order('bpmn_files', '.bpmn');
  const dmn = order('dmn_files', '.dmn');
  const forms = paths.filter((p) => p.startsWith('forms/')).sort();
  const json = [...(paths.includes('manifest.json') ? ['manifest.json'] : []), ...forms];
  const other = paths.filter((p) => !bpmn.includes(p) && !dmn.includes(p) && !json.includes(p)).sort();
  return { bpmn, dmn, forms, json, other, manifest };
}

export function fileLabel(path) {
  if (path === 'manifest.json') return '清单 manifest.json';
  return path;
}

// Text of an element's <bpmn:documentation>.
export function documentationOf(bo) {
  return (bo?.documentation || []).map((d) => d.text || '').join('\n');
}

const TYPE_LABELS = {
  'bpmn:UserTask': '人工任务', 'bpmn:ScriptTask': '脚本任务', 'bpmn:ServiceTask': '服务任务',
  'bpmn:BusinessRuleTask': '决策任务', 'bpmn:CallActivity': '调用子流程', 'bpmn:Task': '任务',
  'bpmn:ManualTask': '手工任务', 'bpmn:SendTask': '发送任务', 'bpmn:ReceiveTask': '接收任务',
  'bpmn:ExclusiveGateway': '排他网关', 'bpmn:ParallelGateway': '并行网关', 'bpmn:InclusiveGateway': '包容网关',
  'bpmn:EventBasedGateway': '事件网关', 'bpmn:StartEvent': '开始事件', 'bpmn:EndEvent': '结束事件',
  'bpmn:IntermediateCatchEvent': '中间事件', 'bpmn:IntermediateThrowEvent': '中间抛出事件',
  'bpmn:BoundaryEvent': '边界事件', 'bpmn:SubProcess': '子流程', 'bpmn:SequenceFlow': '顺序流',
  'bpmn:Lane': '泳道', 'bpmn:Participant': '参与者（池）', 'bpmn:Process': '流程', 'bpmn:Collaboration': '协作',
  'bpmn:DataObjectReference': '数据对象', 'bpmn:TextAnnotation': '注释', 'bpmn:Association': '关联',
  'bpmn:MessageFlow': '消息流', 'bpmn:Group': '分组',
};
export function typeLabel(type) {
  return TYPE_LABELS[type] || type;
}

export const AREA_LABELS = { bpmn: '流程图', dmn: '决策表', form: '表单', manifest: '清单', file: '文件' };
export const CHANGE_LABELS = { added: '新增', removed: '删除', changed: '修改' };
export const CHANGE_BADGE = { added: 'green', removed: 'red', changed: 'amber' };
export const KIND_LABELS = {
  task: '任务', gateway: '网关', event: '事件', timer: '定时器', subprocess: '子流程', flow: '顺序流',
  lane: '泳道', process: '流程', decision: '决策', rule: '规则', input: '输入', output: '输出', form: '表单',
  field: '字段', regulation: '法规', role: '角色', lane_role: '泳道角色', expert_pool: '专家库',
  article: '条款', message: '消息', file: '文件',
};

// A before/after value for a table cell.
export function showValue(v) {
  if (v === null || v === undefined) return '—';
  if (typeof v === 'string') return v;
  return JSON.stringify(v, null, 1);
}

export function today() {
  return new Date().toLocaleDateString('sv-SE', { timeZone: 'Asia/Shanghai' });
}

// A version's status, dates, deployment and case counts: the cells both version tables show.
export function VersionCells({ v }) {
  return (
    <>
      <td><VersionStatus v={v} />{v.forced && <span className="badge amber">强制部署</span>}</td>
      <td>{formatDate(v.effective_from)}</td>
      <td>{v.effective_until ? formatDate(v.effective_until) : '—'}</td>
      <td className="muted">{formatDate(v.deployed_at)}{v.deployed_by ? `（${v.deployed_by}）` : ''}</td>
      <td>{v.cases ?? 0}</td>
      <td>{v.cases_running ?? 0}</td>
    </>
  );
}
