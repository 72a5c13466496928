// What the diff page calls each kind of change (the server's `kind`); a kind it does not know
// reads as 其他, never as its code.
import { KIND_LABELS } from './common.jsx';

const DIFF_KINDS = {
  ...KIND_LABELS,
  decision: '决策表', input: '条件列', output: '结果列', jurisdiction: '辖区', case_control_role: '可中止案件的角色',
  bpmn_file: '流程图', dmn_file: '决策表',
};

export const kindLabel = (kind) => DIFF_KINDS[kind] || '其他';
