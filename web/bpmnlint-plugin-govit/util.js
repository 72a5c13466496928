// Helpers shared by the rules. The rules read diagrams parsed two ways: by the bpmnlint command
// line (no spiffworkflow moddle extension: its elements are generic, attributes as properties and
// children in $children) and in the modeler (typed spiffworkflow:Properties with `values`).

function is(node, type) {
  return typeof node.$instanceOf === 'function' ? node.$instanceOf(type) : node.$type === type;
}

function isAny(node, types) {
  return types.some((type) => is(node, type));
}

const CJK = /[\u3400-\u9fff]/;

function hasChineseName(node) {
  return CJK.test(node.name || '');
}

function documentation(node) {
  return (node.documentation || []).map((doc) => doc.text || '').join('\n');
}

// spiffworkflow:properties → { name: value }, from either parse.
function spiffProperties(node) {
  const found = {};
  const extensions = (node.extensionElements && node.extensionElements.values) || [];
  for (const ext of extensions) {
    if (!/^spiffworkflow:properties$/i.test(ext.$type || '')) continue;
    for (const prop of ext.values || ext.$children || []) {
      const name = prop.name || (prop.$attrs && prop.$attrs.name);
      const value = prop.value || (prop.$attrs && prop.$attrs.value) || '';
      if (name) found[name] = value;
    }
  }
  return found;
}

module.exports = { is, isAny, hasChineseName, documentation, spiffProperties };
