// Lints BPMN files with the installed bpmnlint (web/node_modules) and a .bpmnlintrc, and prints
// the findings as JSON: [{file, id, rule, category, message}]. Used by the pytest tests that hold
// the bundled diagrams and the deploy's Python port to bpmnlint itself.
//   node bpmnlint_report.cjs <web dir> <config> <file.bpmn>...
const fs = require('fs');
const path = require('path');
const { createRequire } = require('module');

async function main([webDir, configPath, ...files]) {
  const requireWeb = createRequire(path.join(path.resolve(webDir), 'package.json'));
  const { Linter } = requireWeb('bpmnlint');
  const NodeResolver = requireWeb('bpmnlint/lib/resolver/node-resolver');
  // the bpmn-moddle bpmnlint's own command line parses with
  const moddle = createRequire(requireWeb.resolve('bpmnlint/package.json'))('bpmn-moddle');
  const BpmnModdle = moddle.BpmnModdle || moddle.default || moddle;
  const config = JSON.parse(fs.readFileSync(configPath, 'utf8'));
  const findings = [];
  for (const file of files) {
    // a fresh linter per file: rules such as no-duplicate-sequence-flows keep state between calls
    const linter = new Linter({ config, resolver: new NodeResolver({ require: requireWeb }) });
    const { rootElement, warnings } = await new BpmnModdle().fromXML(fs.readFileSync(file, 'utf8'));
    for (const warning of warnings) {
      findings.push({ file, id: null, rule: 'import', category: 'error', message: warning.message });
    }
    const results = await linter.lint(rootElement);
    for (const [rule, reports] of Object.entries(results)) {
      for (const report of reports) {
        findings.push({ file, id: report.id, rule, category: report.category, message: report.message });
      }
    }
  }
  process.stdout.write(JSON.stringify(findings));
}

main(process.argv.slice(2)).catch((err) => {
  process.stderr.write(String(err && err.stack || err));
  process.exit(2);
});
