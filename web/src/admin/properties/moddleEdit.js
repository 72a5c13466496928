// Writing what this product's bundles keep on a BPMN element, through bpmn-js commands (so undo
// works and the modeler marks the diagram changed): documentation, spiffworkflow extension
// elements (properties, calledDecisionId, pre/post scripts) and formal expressions (timers,
// conditions). `services` is {modeling, moddle}; `element` the diagram element the change is
// recorded on, `target` the business object (or one of its parts) that changes.
import { extensionOf } from '../bpmnInfo.js';

function addExtension({ modeling, moddle }, element, target, created) {
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

// A body-valued spiffworkflow extension element (calledDecisionId, preScript, postScript);
// '' removes it.
export function setBodyExtension(services, element, target, type, value) {
  const ext = target.extensionElements;
  const existing = ext?.values?.find((v) => v.$type === type);
  if (!value) {
    if (existing) services.modeling.updateModdleProperties(element, ext, { values: ext.values.filter((v) => v !== existing) });
    return;
  }
  if (existing) {
    services.modeling.updateModdleProperties(element, existing, { value });
    return;
  }
  addExtension(services, element, target, services.moddle.create(type, { value }));
}

// <spiffworkflow:properties><spiffworkflow:property name= value=/>; '' removes the property.
export function setSpiffProperty(services, element, name, value) {
  const { modeling, moddle } = services;
  const bo = element.businessObject;
  const container = extensionOf(bo, 'spiffworkflow:Properties');
  const existing = container?.values?.find((p) => p.name === name);
  if (!value) {
    if (existing) modeling.updateModdleProperties(element, container, { values: container.values.filter((p) => p !== existing) });
    return;
  }
  if (existing) {
    if (existing.value !== value) modeling.updateModdleProperties(element, existing, { value });
    return;
  }
  const prop = moddle.create('spiffworkflow:Property', { name, value });
  if (container) {
    prop.$parent = container;
    modeling.updateModdleProperties(element, container, { values: [...(container.values || []), prop] });
  } else {
    const created = moddle.create('spiffworkflow:Properties', { values: [prop] });
    prop.$parent = created;
    addExtension(services, element, bo, created);
  }
}

// The plain-text documentation of `target` (the first one, as the engine and the checks read it).
export function documentationText(target) {
  return (target?.documentation || [])[0]?.text || '';
}

export function setDocumentation({ modeling, moddle }, element, target, text) {
  const docs = target.documentation || [];
  if (docs.length && text) {
    modeling.updateModdleProperties(element, docs[0], { text });
    return;
  }
  if (!text) {
    if (docs.length) modeling.updateModdleProperties(element, target, { documentation: docs.slice(1) });
    return;
  }
  const doc = moddle.create('bpmn:Documentation', { text });
  doc.$parent = target;
  modeling.updateModdleProperties(element, target, { documentation: [doc] });
}

// A bpmn:FormalExpression property (`prop`) of `target`; the properties in `exclusive` are
// alternatives of which only one may be set (a timer's timeDate / timeDuration / timeCycle).
export function setExpression({ modeling, moddle }, element, target, prop, body, exclusive = []) {
  const others = Object.fromEntries(exclusive.filter((c) => c !== prop && target[c]).map((c) => [c, undefined]));
  const current = target[prop];
  if (!body) {
    modeling.updateModdleProperties(element, target, { ...others, [prop]: undefined });
    return;
  }
  if (current && !Object.keys(others).length) {
    if (current.body !== body) modeling.updateModdleProperties(element, current, { body });
    return;
  }
  const fe = moddle.create('bpmn:FormalExpression', { body });
  fe.$parent = target;
  modeling.updateModdleProperties(element, target, { ...others, [prop]: fe });
}
