// Live linting in the modeler: bpmn-js-bpmnlint with the one lint configuration the test of the
// bundled diagrams also uses (./.bpmnlintrc, packed at build time by rollup-plugin-bpmnlint in
// vite.config.js), so what an official sees while drawing is what the test and the deploy demand.
import lintModule from 'bpmn-js-bpmnlint';
import 'bpmn-js-bpmnlint/dist/assets/css/bpmn-js-bpmnlint.css';
import './lint.css';
import bpmnlintConfig from './.bpmnlintrc';

export const lintModules = [lintModule];

export const lintConfig = { bpmnlint: bpmnlintConfig, active: true };

export { default as lintTranslations, translateLintMessage } from './translations.js';
