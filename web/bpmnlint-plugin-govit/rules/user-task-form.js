const { is, spiffProperties } = require('../util');

// A person does a user task by filling in its form: the task names the form's JSON Schema file.
module.exports = function() {
  function check(node, reporter) {
    if (!is(node, 'bpmn:UserTask')) return;
    if (!(spiffProperties(node).formJsonSchemaFilename || '').trim()) {
      reporter.report(node.id, '人工任务未指定表单（表单 JSON Schema 文件）');
    }
  }
  return { check };
};
