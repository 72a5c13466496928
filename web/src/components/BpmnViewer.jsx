// Read-only BPMN diagram (bpmn-js NavigatedViewer: pan with the mouse, zoom with the wheel or
// the buttons) with marks on its elements.
//
// <BpmnViewer xml={text}
//   marks={{completed: [ids], active: [ids], waiting: [ids], added: [ids], …}}  (key k → CSS class mark-k)
//   counts={{id: n}}            overlay "×n" where an element ran more than once
//   badges={{id: '文本'}}        any other overlay text per element
//   onOpenCalled={(callActivityId) => …}   call activities become clickable ("打开子流程")
//   callable={[ids]}            which call activities can be opened (default: all of them)
//   onElementClick={(element) => …}  processId="…" (open the diagram of that process when the
//   file has several)  height={520} testid="bpmn-viewer"
//   focus={[ids]}               open centred on these (the current step) at 100 %, with a
//                               「定位当前环节」 button; flows walked (completed → completed or
//                               active) get mark-walked />
//
// Classes provided in styles.css: mark-completed (green), mark-active (blue, highlighted),
// mark-waiting (amber), mark-added / mark-removed / mark-changed (for diffs), mark-selected.
import React, { useEffect, useRef, useState } from 'react';
import NavigatedViewer from 'bpmn-js/lib/NavigatedViewer';
import 'bpmn-js/dist/assets/diagram-js.css';
import 'bpmn-js/dist/assets/bpmn-js.css';
import 'bpmn-js/dist/assets/bpmn-font/css/bpmn-embedded.css';

function diagramFor(definitions, processId) {
  if (!processId || !definitions?.diagrams) return null;
  return definitions.diagrams.find((d) => {
    const el = d.plane?.bpmnElement;
    if (!el) return false;
    if (el.id === processId) return true;
    return (el.participants || []).some((p) => p.processRef?.id === processId);
  }) || null;
}

export default function BpmnViewer({
  xml, marks, counts, badges, onOpenCalled, callable, onElementClick, processId,
  height = 520, testid = 'bpmn-viewer', focus,
}) {
  const container = useRef(null);
  const viewerRef = useRef(null);
  const applied = useRef({ markers: [], overlays: [] });
  const handlers = useRef({});
  handlers.current = { onOpenCalled, onElementClick, callable };
  const [error, setError] = useState(null);
  const [ready, setReady] = useState(0);
  const focused = useRef(0);

  useEffect(() => {
    const viewer = new NavigatedViewer({ container: container.current });
    viewerRef.current = viewer;
    viewer.on('element.click', (event) => {
      const el = event.element;
      const { onOpenCalled: open, onElementClick: click, callable: allowed } = handlers.current;
      if (click) click(el);
      if (open && el.type === 'bpmn:CallActivity' && (!allowed || allowed.includes(el.id))) open(el.id);
    });
    return () => { viewer.destroy(); viewerRef.current = null; };
  }, []);

  useEffect(() => {
    const viewer = viewerRef.current;
    if (!viewer || !xml) return undefined;
    let live = true;
    setError(null);
    (async () => {
      try {
        await viewer.importXML(xml);
        const diagram = diagramFor(viewer.getDefinitions(), processId);
        if (diagram && diagram !== viewer.getDefinitions().diagrams[0]) await viewer.open(diagram);
        applied.current = { markers: [], overlays: [] };
        if (!live) return;
        viewer.get('canvas').zoom('fit-viewport', 'auto');
        setReady((n) => n + 1);
      } catch (e) {
        if (live) setError(e?.message || String(e));
      }
    })();
    return () => { live = false; };
  }, [xml, processId]);

  useEffect(() => {
    const viewer = viewerRef.current;
    if (!viewer || !ready) return;
    const canvas = viewer.get('canvas');
    const overlays = viewer.get('overlays');
    const registry = viewer.get('elementRegistry');
    for (const [id, cls] of applied.current.markers) {
      if (registry.get(id)) canvas.removeMarker(id, cls);
    }
    for (const oid of applied.current.overlays) overlays.remove(oid);
    const markers = [];
    const added = [];
    for (const [key, ids] of Object.entries(marks || {})) {
      for (const id of ids || []) {
        if (!registry.get(id)) continue;
        const cls = `mark-${key}`;
        canvas.addMarker(id, cls);
        markers.push([id, cls]);
      }
    }
    const badge = (id, text, cls, position = { top: -12, right: 12 }, onClick = null) => {
      if (!registry.get(id)) return;
      const html = document.createElement(onClick ? 'button' : 'div');
      html.className = `bpmn-badge ${cls}`;
      html.textContent = text;
      if (onClick) {
        html.type = 'button';
        html.addEventListener('click', (e) => { e.stopPropagation(); onClick(); });
      }
      added.push(overlays.add(id, { position, html }));
    };
    for (const [id, n] of Object.entries(counts || {})) if (n > 1) badge(id, `×${n}`, 'count');
    for (const [id, text] of Object.entries(badges || {})) if (text) badge(id, text, 'note', { bottom: -6, left: 0 });
    if (onOpenCalled) {
      for (const el of registry.filter((e) => e.type === 'bpmn:CallActivity')) {
        if (callable && !callable.includes(el.id)) continue;
        canvas.addMarker(el.id, 'mark-callable');
        markers.push([el.id, 'mark-callable']);
        badge(el.id, '打开子流程 ▸', 'open', { top: -9, left: 4 }, () => handlers.current.onOpenCalled?.(el.id));
      }
    }
    const done = new Set(marks?.completed || []);
    const reached = new Set([...(marks?.completed || []), ...(marks?.active || []), ...(marks?.waiting || [])]);
    for (const flow of registry.filter((e) => e.type === 'bpmn:SequenceFlow')) {
      if (done.has(flow.source?.id) && reached.has(flow.target?.id)) {
        canvas.addMarker(flow.id, 'mark-walked');
        markers.push([flow.id, 'mark-walked']);
      }
    }
    applied.current = { markers, overlays: added };
    if (focused.current !== ready && focusOn(focus)) focused.current = ready;
  }, [ready, marks, counts, badges, onOpenCalled, callable]);

  // The current step at 100 % in the middle of the canvas: labels readable, nothing to hunt for.
  function focusOn(ids) {
    const viewer = viewerRef.current;
    if (!viewer || !ids?.length) return false;
    const registry = viewer.get('elementRegistry');
    const shapes = ids.map((id) => registry.get(id)).filter((s) => s && s.width !== undefined);
    if (!shapes.length) return false;
    const left = Math.min(...shapes.map((s) => s.x));
    const top = Math.min(...shapes.map((s) => s.y));
    const right = Math.max(...shapes.map((s) => s.x + s.width));
    const bottom = Math.max(...shapes.map((s) => s.y + s.height));
    const canvas = viewer.get('canvas');
    canvas.zoom(1);
    const box = canvas.viewbox();
    canvas.viewbox({ x: (left + right) / 2 - box.width / 2, y: (top + bottom) / 2 - box.height / 2,
      width: box.width, height: box.height });
    return true;
  }

  const zoom = (step) => {
    const canvas = viewerRef.current?.get('canvas');
    if (!canvas) return;
    if (step === 0) canvas.zoom('fit-viewport', 'auto');
    else canvas.zoom(canvas.zoom() * (step > 0 ? 1.25 : 0.8));
  };

  return (
    <div className="bpmn-viewer" data-testid={testid}>
      <div className="bv-tools">
        <button type="button" className="secondary small" onClick={() => zoom(1)} title="放大">放大</button>
        <button type="button" className="secondary small" onClick={() => zoom(-1)} title="缩小">缩小</button>
        <button type="button" className="secondary small" onClick={() => zoom(0)} title="适应窗口">适应窗口</button>
        {focus?.length > 0 && (
          <button type="button" className="secondary small" onClick={() => focusOn(focus)} data-testid="focus-current">定位当前环节</button>
        )}
      </div>
      {error && <div className="error-box" role="alert">流程图无法显示：{error}</div>}
      {!xml && !error && <div className="muted bv-empty">正在加载流程图…</div>}
      <div className="bv-canvas" ref={container} style={{ height }} />
    </div>
  );
}

// The legend for case diagrams.
export function DiagramLegend() {
  return (
    <div className="diagram-legend" aria-label="图例">
      <span><i className="swatch completed" />已完成</span>
      <span><i className="swatch active" />当前环节</span>
      <span><i className="swatch waiting" />等待定时</span>
    </div>
  );
}
