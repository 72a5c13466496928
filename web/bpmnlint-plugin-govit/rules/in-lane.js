const { is } = require('../util');

// Who does a step is the role of its lane, so every flow node lies in a lane: listed in one
// (flowNodeRef), or inside a sub-process that is.
function laneMembers(laneSets, members) {
  for (const laneSet of laneSets || []) {
    for (const lane of laneSet.lanes || []) {
      for (const ref of lane.flowNodeRef || []) members.add(ref.id || ref);
      laneMembers(lane.childLaneSet ? [lane.childLaneSet] : [], members);
    }
  }
  return members;
}

module.exports = function() {
  function visit(container, members, reporter) {
    for (const element of container.flowElements || []) {
      if (!is(element, 'bpmn:FlowNode')) continue;
      if (!members.has(element.id)) {
        reporter.report(element.id, '不在任何泳道中，无法确定由谁办理');
      } else if (is(element, 'bpmn:SubProcess')) {
        const inner = new Set(members);
        for (const child of element.flowElements || []) inner.add(child.id);
        visit(element, laneMembers(element.laneSets, inner), reporter);
      }
    }
  }

  function check(node, reporter) {
    if (!is(node, 'bpmn:Process')) return;
    visit(node, laneMembers(node.laneSets, new Set()), reporter);
  }
  return { check };
};
