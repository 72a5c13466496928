// 泳道 → 角色: a lane's office is done by holders of one role (the manifest's `lanes` map, keyed
// by the lane's name). The role is chosen by its Chinese name; renaming a lane carries its role.
import { Choice, muted, h, useService } from './common.js';

export function LaneRoleEntry({ element, id }) {
  const ctx = useService('govitContext');
  const name = element.businessObject.name || '';
  const roles = ctx.roles();
  const current = ctx.manifest?.lanes?.[name] || '';
  const options = [{ value: '', label: '（未对应角色）' }, ...roles.map((r) => ({ value: r.id, label: r.name || '（未命名角色）' }))];
  if (current && !roles.some((r) => r.id === current)) options.push({ value: current, label: '（清单中没有此角色）' });
  const setRole = (role) => {
    if (!ctx.manifest || !ctx.onManifest) return;
    const lanes = { ...(ctx.manifest.lanes || {}) };
    if (role) lanes[name] = role;
    else delete lanes[name];
    updateManifest(ctx, { ...ctx.manifest, lanes });
  };
  return h('div', null,
    Choice({ id, label: '角色', value: current, options, onChange: setRole, disabled: !ctx.manifest || !name, testid: 'lane-role' }),
    !ctx.manifest ? muted('草稿中没有可读的流程包设置，无法对应角色。')
      : !name ? muted('请先为泳道命名。') : muted('办理此泳道中任务的人须持有此角色。'));
}

function updateManifest(ctx, next) {
  ctx.setManifest(next);
  ctx.onManifest(next);
  ctx.changed();
}

/** Keeps the manifest's lane → role map keyed by the lane's name when a lane is renamed (in the
 * panel or on the canvas). A rename runs nested commands (the label follows the name): each
 * command compares the name before and after itself, so only the outer one sees the change. */
export class LaneRenames {
  constructor(eventBus, govitContext, elementRegistry) {
    const before = new Map(); // command context -> the lane's name before the command
    for (const command of ['element.updateProperties', 'element.updateLabel']) {
      eventBus.on(`commandStack.${command}.preExecute`, ({ context }) => {
        const lane = context.element;
        if (lane?.type === 'bpmn:Lane') before.set(context, lane.businessObject.name || '');
      });
      eventBus.on(`commandStack.${command}.postExecuted`, ({ context }) => {
        const lane = context.element;
        if (!before.has(context)) return;
        const old = before.get(context);
        before.delete(context);
        const name = lane.businessObject.name || '';
        const manifest = govitContext.manifest;
        if (old === name || !manifest?.lanes || !(old in manifest.lanes) || (name in manifest.lanes) || !govitContext.onManifest) return;
        const lanes = { ...manifest.lanes };
        if (name) lanes[name] = lanes[old];
        const stillUsed = elementRegistry.filter((e) => e.type === 'bpmn:Lane' && e.businessObject.name === old).length > 0;
        if (!stillUsed) delete lanes[old];
        updateManifest(govitContext, { ...manifest, lanes });
      });
    }
  }
}

LaneRenames.$inject = ['eventBus', 'govitContext', 'elementRegistry'];
