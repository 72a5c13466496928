import React, { useEffect, useRef } from 'react';
import { useParams } from 'react-router-dom';

// Where the modeler's properties panel (bpmn-js-properties-panel, see ./index.js) is shown: the
// panel is attached to this card, and the page's knowledge the panel needs — the draft, its
// manifest (lane → role) with the callback that changes it, the layout files of the forms, the
// decisions and processes of the draft's files — is handed to the modeler's govitContext.
// props: modeler (an editable BpmnCanvas's Modeler, or null while loading / read-only), manifest,
// onManifest(next), forms {schemas, uiSchemas}, decisions, processes, readOnly, draftId (else the
// route's :draftId).
export default function PanelHost({ modeler, manifest, onManifest, forms, decisions, processes, readOnly = false, draftId }) {
  const box = useRef(null);
  const params = useParams();
  const draft = draftId ?? params.draftId;

  useEffect(() => {
    const panel = modeler?.get('propertiesPanel', false);
    if (!panel || !box.current) return undefined;
    panel.attachTo(box.current);
    return () => panel.detach();
  }, [modeler]);

  useEffect(() => {
    const context = modeler?.get('govitContext', false);
    context?.configure({ draftId: draft, manifest, onManifest, uiSchemas: forms?.uiSchemas, decisions, processes });
  }, [modeler, draft, manifest, onManifest, forms, decisions, processes]);

  if (!modeler) {
    return (
      <div className="card props-panel" data-testid="properties-panel">
        <p className="muted">{readOnly ? '此草稿已部署，不能再修改。' : '正在加载…'}</p>
      </div>
    );
  }
  return <div className="card props-panel govit-properties" data-testid="properties-panel" ref={box} />;
}
