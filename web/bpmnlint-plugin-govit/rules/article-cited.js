const { is, documentation } = require('../util');

// Every step of a regulation's process says which provision it implements, in its documentation,
// as the bundles cite them: numbered articles (第十二条, 第十二、十三条, 第二十四至二十六条), a
// chapter's passage (第一章「…」), or the outline of sections and items of a text without numbered
// articles (四（二）, 一、…, 附则). The coverage report reads the same citations.
const NUMERAL = '[零〇一二两三四五六七八九十百]+';
const CITATION = new RegExp(
  `第${NUMERAL}(?:\\s*[、，,和及与至到-]\\s*第?${NUMERAL})*[条章]` +
  `|${NUMERAL}（${NUMERAL}）` +
  `|(?:^|[\\s；;，,])${NUMERAL}、` +
  '|附则'
);

module.exports = function() {
  function check(node, reporter) {
    if (!is(node, 'bpmn:FlowNode')) return;
    if (!CITATION.test(documentation(node))) {
      reporter.report(node.id, '说明中未引用所依据的条款（如“第十二条：…”或“四（二）：…”）', ['documentation']);
    }
  }
  return { check };
};
