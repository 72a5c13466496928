const { is } = require('../util');

// A timer without an expression never fires: deadlines are the timer's date, duration or cycle.
function expression(definition) {
  return [definition.timeDate, definition.timeDuration, definition.timeCycle]
    .map((formal) => (formal && formal.body) || '')
    .find((body) => body.trim());
}

module.exports = function() {
  function check(node, reporter) {
    if (!is(node, 'bpmn:Event')) return;
    for (const definition of node.eventDefinitions || []) {
      if (is(definition, 'bpmn:TimerEventDefinition') && !expression(definition)) {
        reporter.report(node.id, '定时事件未设定时间表达式（日期、期限或周期）');
      }
    }
  }
  return { check };
};
