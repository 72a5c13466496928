import React, { useEffect, useState } from 'react';
import { documentationOf, typeLabel } from './common.jsx';
import { extensionOf, spiffProperties, timerOf, TIMER_KINDS } from './bpmnInfo.js';

// The properties this product's bundles use, edited through bpmn-js commands (undo works):
// name, documentation (article citation), user task forms (spiffworkflow:properties), lanes and
// their role (manifest.json `lanes`), timers, scripts (script, spiffworkflow:preScript /
// postScript), sequence-flow conditions, spiffworkflow:calledDecisionId, calledElement.

function mod(modeler) {
  return { modeling: modeler.get('modeling'), moddle: modeler.get('moddle') };
}

// Set (or with '' remove) a body-valued spiffworkflow extension element (calledDecisionId,
// preScript, postScript, messageVariable) on `target` (the element's business object or one of
// its event definitions).
export function setBodyExtension(modeler, element, target, type, value) {
  const { modeling, moddle } = mod(modeler);
  const ext = target.extensionElements;
  const existing = ext?.values?.find((v) => v.$type === type);
  if (!value) {
    if (existing) modeling.updateModdleProperties(element, ext, { values: ext.values.filter((v) => v !== existing) });
    return;
  }
  if (existing) {
    modeling.updateModdleProperties(element, existing, { value });
    return;
  }
  const created = moddle.create(type, { value });
  addExtension(modeler, element, target, created);
}

function addExtension(modeler, element, target, created) {
  const { modeling, moddle } = mod(modeler);
  const ext = target.extensionElements;
  if (!ext) {
    const fresh = moddle.create('bpmn:ExtensionElements', { values: [created] });
    fresh.$parent = target;
    created.$parent = fresh;
    modeling.updateModdleProperties(element, target, { extensionElements: fresh });
  } else {
    created.$parent = ext;
    modeling.updateModdleProperties(element, ext, { values: [...(ext.values || []), created] });
  }
}

// <spiffworkflow:properties><spiffworkflow:property name= value=/>; '' removes the property.
export function setSpiffProperty(modeler, element, name, value) {
  const { modeling, moddle } = mod(modeler);
  const bo = element.businessObject;
  const container = extensionOf(bo, 'spiffworkflow:Properties');
  const existing = container?.values?.find((p) => p.name === name);
  if (!value) {
    if (existing) modeling.updateModdleProperties(element, container, { values: container.values.filter((p) => p !== existing) });
    return;
  }
  if (existing) {
    modeling.updateModdleProperties(element, existing, { value });
    return;
  }
  const prop = moddle.create('spiffworkflow:Property', { name, value });
  if (container) {
    prop.$parent = container;
    modeling.updateModdleProperties(element, container, { values: [...(container.values || []), prop] });
  } else {
    const created = moddle.create('spiffworkflow:Properties', { values: [prop] });
    prop.$parent = created;
    addExtension(modeler, element, bo, created);
  }
}

function setDocumentation(modeler, element, target, text) {
  const { modeling, moddle } = mod(modeler);
  const docs = target.documentation || [];
  if (docs.length === 1) {
    modeling.updateModdleProperties(element, docs[0], { text });
    return;
  }
  const doc = moddle.create('bpmn:Documentation', { text });
  doc.$parent = target;
  modeling.updateModdleProperties(element, target, { documentation: text ? [doc] : [] });
}

function setExpression(modeler, element, target, prop, body, clear = []) {
  const { modeling, moddle } = mod(modeler);
  const current = target[prop];
  const others = Object.fromEntries(clear.filter((c) => c !== prop).map((c) => [c, undefined]));
  if (current && !clear.some((c) => c !== prop && target[c])) {
    modeling.updateModdleProperties(element, current, { body });
    return;
  }
  const fe = moddle.create('bpmn:FormalExpression', { body });
  fe.$parent = target;
  modeling.updateModdleProperties(element, target, { ...others, [prop]: fe });
}

function Field({ label, children, hint }) {
  return (
    <label className="field">
      <span>{label}</span>
      {children}
      {hint && <small className="muted">{hint}</small>}
    </label>
  );
}

function Select({ value, options, onChange, allowEmpty = '（无）', label }) {
  const known = options.some((o) => o.value === value);
  return (
    <select value={value || ''} onChange={(e) => onChange(e.target.value)} aria-label={label}>
      {allowEmpty !== false && <option value="">{allowEmpty}</option>}
      {value && !known && <option value={value}>{value}（草稿中不存在）</option>}
      {options.map((o) => <option key={o.value} value={o.value}>{o.label}</option>)}
    </select>
  );
}

// props: modeler, element (diagram-js element or null), forms: {schemas, uiSchemas},
// decisions: [{id, name, file}], processes: [{id, name, file}], manifest (parsed or null),
// onManifest(newManifest) to change manifest.json.
export default function PropertiesPanel({ modeler, element, forms, decisions, processes, manifest, onManifest, readOnly = false }) {
  const [, setTick] = useState(0);
  useEffect(() => {
    if (!modeler) return undefined;
    const bump = () => setTick((t) => t + 1);
    modeler.on('elements.changed', bump);
    return () => modeler.off('elements.changed', bump);
  }, [modeler]);

  if (!modeler) return <div className="card props-panel" data-testid="properties-panel"><p className="muted">{readOnly ? '此草稿已部署，不能再修改。' : '正在加载…'}</p></div>;
  const canvasRoot = modeler.get('canvas').getRootElement();
  const el = element || canvasRoot;
  const bo = el?.businessObject;
  if (!bo) return <div className="card props-panel" data-testid="properties-panel"><p className="muted">选择一个元素以编辑其属性。</p></div>;
  const type = bo.$type;
  const isLabel = el.type === 'label';
  const target = isLabel ? el.labelTarget : el;
  const props = spiffProperties(bo);
  const timer = timerOf(bo);
  const isFlowNode = bo.$instanceOf?.('bpmn:FlowNode');
  const isActivity = bo.$instanceOf?.('bpmn:Activity');
  const docTarget = type === 'bpmn:Participant' && bo.processRef ? bo.processRef : bo;
  const doc = documentationOf(docTarget);
  const messageDef = (bo.eventDefinitions || []).find((d) => d.$type === 'bpmn:MessageEventDefinition');
  const roles = manifest?.roles || [];
  const laneRole = type === 'bpmn:Lane' ? manifest?.lanes?.[bo.name || ''] : undefined;
  const sourceIsGateway = type === 'bpmn:SequenceFlow' && /Gateway$/.test(bo.sourceRef?.$type || '');
  const isDefaultFlow = type === 'bpmn:SequenceFlow' && bo.sourceRef?.default === bo;

  const update = (attrs) => modeler.get('modeling').updateProperties(target, attrs);

  const renameLane = (name) => {
    const old = bo.name || '';
    update({ name });
    if (manifest && manifest.lanes && old in manifest.lanes && !(name in manifest.lanes)) {
      const stillUsed = modeler.get('elementRegistry').filter((e) => e.type === 'bpmn:Lane' && e.businessObject.name === old).length > 0;
      const lanes = { ...manifest.lanes };
      if (name) lanes[name] = lanes[old];
      if (!stillUsed) delete lanes[old];
      onManifest({ ...manifest, lanes });
    }
  };
  const setLaneRole = (role) => {
    if (!manifest) return;
    const lanes = { ...(manifest.lanes || {}) };
    if (role) lanes[bo.name || ''] = role;
    else delete lanes[bo.name || ''];
    onManifest({ ...manifest, lanes });
  };

  return (
    <div className="card props-panel" data-testid="properties-panel">
      <h2>{bo.name || bo.id}</h2>
      <p className="muted">{typeLabel(type)} · <span data-testid="properties-element-id">{bo.id}</span></p>

      {type !== 'bpmn:Collaboration' && (
        <Field label="名称">
          <input value={bo.name || ''} onChange={(e) => (type === 'bpmn:Lane' ? renameLane(e.target.value) : update({ name: e.target.value }))}
            aria-label="名称" />
        </Field>
      )}

      {type === 'bpmn:Lane' && (
        <Field label="角色（manifest.json 的 lanes）" hint={manifest ? '泳道名称对应清单中的角色；办理该泳道任务的人须持有此角色。' : '草稿中没有可解析的 manifest.json'}>
          <Select label="角色" value={laneRole} allowEmpty="（未对应角色）" onChange={setLaneRole}
            options={roles.map((r) => ({ value: r.id, label: `${r.name}（${r.id}）` }))} />
        </Field>
      )}

      {type !== 'bpmn:Collaboration' && !isLabel && (
        <Field label={type === 'bpmn:Participant' ? '流程说明（依据条款）' : '说明（依据条款，如“第十条：……”）'}>
          <textarea rows={5} value={doc} onChange={(e) => setDocumentation(modeler, target, docTarget, e.target.value)}
            aria-label="说明" placeholder="第X条：……" />
        </Field>
      )}

      {(type === 'bpmn:UserTask' || (type === 'bpmn:StartEvent' && (props.formJsonSchemaFilename || !bo.eventDefinitions?.length))) && (
        <>
          <h3>表单</h3>
          <Field label="表单（JSON Schema，forms/ 下）">
            <Select label="表单" value={props.formJsonSchemaFilename} onChange={(v) => setSpiffProperty(modeler, target, 'formJsonSchemaFilename', v)}
              options={forms.schemas.map((f) => ({ value: f, label: f }))} />
          </Field>
          <Field label="界面表单（uiSchema，可空）">
            <Select label="界面表单" value={props.formUiSchemaFilename} onChange={(v) => setSpiffProperty(modeler, target, 'formUiSchemaFilename', v)}
              options={forms.uiSchemas.map((f) => ({ value: f, label: f }))} />
          </Field>
          {type === 'bpmn:UserTask' && (
            <>
              <Field label="办理单位变量（candidateUnitVariable，可空）">
                <input value={props.candidateUnitVariable || ''} onChange={(e) => setSpiffProperty(modeler, target, 'candidateUnitVariable', e.target.value)} />
              </Field>
              <Field label="办理人变量（candidateUserVariable，可空）">
                <input value={props.candidateUserVariable || ''} onChange={(e) => setSpiffProperty(modeler, target, 'candidateUserVariable', e.target.value)} />
              </Field>
            </>
          )}
        </>
      )}

      {bo.loopCharacteristics?.$type === 'bpmn:MultiInstanceLoopCharacteristics' && (
        <>
          <h3>多实例</h3>
          <dl className="kv">
            <dt>方式</dt><dd>{bo.loopCharacteristics.isSequential ? '串行' : '并行'}</dd>
            <dt>输入集合</dt><dd>{bo.loopCharacteristics.loopDataInputRef?.id || '—'}</dd>
            <dt>单项变量</dt><dd>{bo.loopCharacteristics.inputDataItem?.name || bo.loopCharacteristics.inputDataItem?.id || '—'}</dd>
            <dt>输出集合</dt><dd>{bo.loopCharacteristics.loopDataOutputRef?.id || '—'}</dd>
            <dt>单项输出</dt><dd>{bo.loopCharacteristics.outputDataItem?.name || bo.loopCharacteristics.outputDataItem?.id || '—'}</dd>
          </dl>
        </>
      )}

      {timer && (
        <>
          <h3>定时器</h3>
          <Field label="定时方式">
            <select value={timer.kind} aria-label="定时方式"
              onChange={(e) => setExpression(modeler, target, timer.def, e.target.value, timer.expression, Object.keys(TIMER_KINDS))}>
              {Object.entries(TIMER_KINDS).map(([k, label]) => <option key={k} value={k}>{label}</option>)}
            </select>
          </Field>
          <Field label="表达式（Python，如 &quot;P3M&quot; 或 working_days_deadline(today(), 5)）">
            <textarea rows={3} className="pre" value={timer.expression} aria-label="定时表达式" data-testid="timer-expression"
              onChange={(e) => setExpression(modeler, target, timer.def, timer.kind, e.target.value, Object.keys(TIMER_KINDS))} />
          </Field>
        </>
      )}

      {(type === 'bpmn:ExclusiveGateway' || type === 'bpmn:InclusiveGateway') && (bo.outgoing || []).length > 1 && (
        <>
          <h3>默认分支</h3>
          <Field label="其他条件都不成立时走的分支">
            <Select label="默认分支" value={bo.default?.id} allowEmpty="（无默认分支）"
              onChange={(id) => update({ default: (bo.outgoing || []).find((f) => f.id === id) })}
              options={(bo.outgoing || []).map((f) => ({ value: f.id, label: `${f.name || f.id}（${f.id}）` }))} />
          </Field>
        </>
      )}

      {type === 'bpmn:BoundaryEvent' && (
        <div className="field">
          <label className="inline"><input type="checkbox" checked={bo.cancelActivity !== false} aria-label="中断任务"
            onChange={(e) => update({ cancelActivity: e.target.checked })} />触发时中断所附着的任务（不勾选：任务继续，另开分支）</label>
        </div>
      )}

      {messageDef && (
        <>
          <h3>消息</h3>
          <dl className="kv"><dt>消息</dt><dd>{messageDef.messageRef?.name || messageDef.messageRef?.id || '—'}</dd></dl>
          <Field label="消息内容存入变量（spiffworkflow:messageVariable）">
            <input value={extensionOf(messageDef, 'spiffworkflow:MessageVariable')?.value || ''}
              onChange={(e) => setBodyExtension(modeler, target, messageDef, 'spiffworkflow:MessageVariable', e.target.value)} />
          </Field>
        </>
      )}

      {type === 'bpmn:ScriptTask' && (
        <>
          <h3>脚本</h3>
          <Field label="脚本（Python）">
            <textarea rows={8} className="pre" value={bo.script || ''} aria-label="脚本" onChange={(e) => update({ script: e.target.value })} />
          </Field>
        </>
      )}

      {type === 'bpmn:BusinessRuleTask' && (
        <>
          <h3>决策表</h3>
          <Field label="调用的决策（spiffworkflow:calledDecisionId）">
            <Select label="决策" value={extensionOf(bo, 'spiffworkflow:CalledDecisionId')?.value}
              onChange={(v) => setBodyExtension(modeler, target, bo, 'spiffworkflow:CalledDecisionId', v)}
              options={decisions.map((d) => ({ value: d.id, label: `${d.name || d.id}（${d.id}，${d.file}）` }))} />
          </Field>
        </>
      )}

      {type === 'bpmn:CallActivity' && (
        <>
          <h3>子流程</h3>
          <Field label="调用的流程（calledElement）">
            <Select label="调用的流程" value={bo.calledElement} onChange={(v) => update({ calledElement: v || undefined })}
              options={processes.map((p) => ({ value: p.id, label: `${p.name || p.id}（${p.id}，${p.file}）` }))} />
          </Field>
        </>
      )}

      {type === 'bpmn:SequenceFlow' && (
        <>
          <h3>条件</h3>
          {isDefaultFlow ? <p className="muted">这是网关的默认分支（其他条件都不成立时走此分支），无需条件。</p> : (
            <Field label="条件表达式（Python，如 decision == &quot;approve&quot;）" hint={sourceIsGateway ? null : '起点不是网关：通常不需要条件。'}>
              <textarea rows={3} className="pre" value={bo.conditionExpression?.body || ''} aria-label="条件表达式"
                onChange={(e) => (e.target.value
                  ? setExpression(modeler, target, bo, 'conditionExpression', e.target.value)
                  : update({ conditionExpression: undefined }))} />
            </Field>
          )}
        </>
      )}

      {isActivity && type !== 'bpmn:SubProcess' && (
        <>
          <h3>前置 / 后置脚本</h3>
          <Field label="前置脚本（spiffworkflow:preScript，任务开始前执行）">
            <textarea rows={3} className="pre" value={extensionOf(bo, 'spiffworkflow:PreScript')?.value || ''} aria-label="前置脚本"
              onChange={(e) => setBodyExtension(modeler, target, bo, 'spiffworkflow:PreScript', e.target.value)} />
          </Field>
          <Field label="后置脚本（spiffworkflow:postScript，任务完成后执行）">
            <textarea rows={3} className="pre" value={extensionOf(bo, 'spiffworkflow:PostScript')?.value || ''} aria-label="后置脚本"
              onChange={(e) => setBodyExtension(modeler, target, bo, 'spiffworkflow:PostScript', e.target.value)} />
          </Field>
        </>
      )}
      {!isFlowNode && !['bpmn:Lane', 'bpmn:SequenceFlow', 'bpmn:Participant', 'bpmn:Process'].includes(type) && (
        <p className="muted">此类元素只需名称和说明。</p>
      )}
    </div>
  );
}
