// The product's own requirements on a diagram, as bpmnlint rules (rules/<name>.js). The same
// requirements the deploy checks: an official reads every element by its Chinese name and the
// article it implements, every task is done by the role of its lane, with a form.
module.exports = {
  configs: {
    recommended: {
      rules: {
        'chinese-name': 'error',
        'article-cited': 'error',
        'in-lane': 'error',
        'user-task-form': 'error',
        'timer-expression': 'error',
      },
    },
  },
};
