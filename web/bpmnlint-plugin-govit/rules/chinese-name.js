const { isAny, hasChineseName } = require('../util');

// Officials read a diagram by its names: every process, lane and flow node has a Chinese one.
module.exports = function() {
  function check(node, reporter) {
    if (!isAny(node, ['bpmn:Process', 'bpmn:Lane', 'bpmn:FlowNode'])) return;
    if (!hasChineseName(node)) {
      reporter.report(node.id, node.name ? '名称须用中文' : '缺少中文名称', ['name']);
    }
  }
  return { check };
};
