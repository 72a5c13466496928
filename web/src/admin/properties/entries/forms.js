// 表单: the form a user task (or a plain start event) shows, chosen by its Chinese title
// (spiffworkflow:properties formJsonSchemaFilename, and formUiSchemaFilename when the draft has
// the form's layout file); the file names stay in the diagram. Who may take the task
// (candidateUnitVariable / candidateUserVariable) is an expert's field.
import { spiffProperties } from '../../bpmnInfo.js';
import { setSpiffProperty } from '../moddleEdit.js';
import { Choice, Expert, ExpressionBox, h, muted, useEditing, useService } from './common.js';

function baseName(path) {
  return (path || '').split('/').pop();
}

export function FormEntry({ element, id }) {
  const editing = useEditing();
  const ctx = useService('govitContext');
  const props = spiffProperties(element.businessObject);
  const current = props.formJsonSchemaFilename || '';
  const forms = (ctx.vocabulary.forms || []).map((f) => ({ value: baseName(f.file), label: f.title || '（无标题的表单）' }))
    .filter((f) => f.value.endsWith('.schema.json'))
    .sort((a, b) => a.label.localeCompare(b.label, 'zh'));
  const options = [{ value: '', label: '（无表单）' }, ...forms];
  if (current && !forms.some((f) => f.value === current)) {
    options.push({ value: current, label: ctx.vocabularyLoaded ? '（草稿中没有此表单）' : '（正在载入表单标题…）' });
  }
  const choose = (file) => {
    setSpiffProperty(editing, element, 'formJsonSchemaFilename', file);
    const layout = file.replace(/\.schema\.json$/, '.uischema.json');
    setSpiffProperty(editing, element, 'formUiSchemaFilename', file && (ctx.uiSchemas || []).includes(layout) ? layout : '');
  };
  return h('div', null,
    Choice({ id, label: '表单', value: current, options, onChange: choose, testid: 'task-form' }),
    current ? null : muted('办理人看到的表单；没有表单的任务只需确认办结。'));
}

/** Who may take the task, from a case variable (an expert's setting). */
export function CandidateEntry({ element, id }) {
  const editing = useEditing();
  const props = spiffProperties(element.businessObject);
  const set = (name) => (value) => setSpiffProperty(editing, element, name, value.trim());
  return Expert({
    summary: '指定办理单位或办理人',
    open: false,
    children: [
      h(ExpressionBox, { key: `${element.id}-unit`, id: `${id}-unit`, label: '办理单位取自变量', value: props.candidateUnitVariable, rows: 1, onCommit: set('candidateUnitVariable') }),
      h(ExpressionBox, { key: `${element.id}-user`, id: `${id}-user`, label: '办理人取自变量', value: props.candidateUserVariable, rows: 1, onCommit: set('candidateUserVariable') }),
    ],
  });
}
