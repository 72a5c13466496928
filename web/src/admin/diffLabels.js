// What the diff page calls each kind and area of change (the server's `kind`, `area`); one it
// does not know reads as 其他, never as its code.
import { AREA_LABELS, KIND_LABELS } from './common.jsx';

const DIFF_KINDS = {
  ...KIND_LABELS,
  decision: '决策表', input: '条件列', output: '结果列', jurisdiction: '辖区', case_control_role: '可中止案件的角色',
  bpmn_file: '流程图', dmn_file: '决策表',
};

export const kindLabel = (kind) => DIFF_KINDS[kind] || '其他';

// the manifest by the name the modeler's tab gives it
const DIFF_AREAS = { ...AREA_LABELS, manifest: '流程包设置' };

export const AREA_KEYS = Object.keys(DIFF_AREAS);
export const areaLabel = (area) => DIFF_AREAS[area] || '其他';
