import React, { useEffect, useRef, useState } from 'react';
import NavigatedViewer from 'bpmn-js/lib/NavigatedViewer';
import Modeler from 'bpmn-js/lib/Modeler';
import translateModule from './translate.js';
import { propertiesConfig, propertiesModules } from './properties/index.js';
import { lintConfig, lintModules } from './lint/index.js';
import 'bpmn-js/dist/assets/diagram-js.css';
import 'bpmn-js/dist/assets/bpmn-js.css';
import 'bpmn-js/dist/assets/bpmn-font/css/bpmn-embedded.css';
import spiffworkflow from './moddle/spiffworkflow.json';
import './admin.css';

export const moddleExtensions = { spiffworkflow };

// The diagram element for a BPMN id: the shape itself, or for a process id its participant.
export function findElement(registry, id) {
  if (!id) return null;
  const direct = registry.get(id);
  if (direct) return direct;
  return registry.find((el) => el.businessObject?.processRef?.id === id) || null;
}

// bpmn-js with marker classes (`markers: {bpmnId: 'cls' | ['cls', …]}`), text badges
// (`badges: {bpmnId: '新增'}`), selection (`selected`, `onSelect(element)`). Read-only
// (NavigatedViewer) unless `editable` (Modeler; `onChange()` after every command), which brings
// the properties panel (./properties/, shown by properties/PanelHost.jsx; `draftId` names the draft
// whose vocabulary it offers) and live bpmnlint. A viewer imports the xml whenever it changes; the
// modeler imports its first xml only (later ones are what it saved itself): key the component by
// file and load to give it another diagram.
export default function BpmnCanvas({ xml, markers, badges, selected, onSelect, onReady, onChange, editable = false,
  height = 520, testid, focusZoom = false, zoomToMarked = false, draftId }) {
  const box = useRef(null);
  const viewer = useRef(null);
  const applied = useRef([]);
  const importing = useRef(false);
  const imported = useRef(false); // an editable modeler imports its first XML only
  const imports = useRef(0);
  const shownSelection = useRef({ selected: undefined, imports: -1 });
  const [error, setError] = useState(null);
  const [importedXml, setImportedXml] = useState(null);
  const onSelectRef = useRef(onSelect);
  onSelectRef.current = onSelect;
  const onChangeRef = useRef(onChange);
  onChangeRef.current = onChange;

  useEffect(() => {
    const v = editable
      ? new Modeler({
        container: box.current, moddleExtensions,
        additionalModules: [translateModule, ...propertiesModules, ...lintModules],
        linting: lintConfig, ...propertiesConfig(draftId),
      })
      : new NavigatedViewer({ container: box.current, moddleExtensions, additionalModules: [translateModule] });
    viewer.current = v;
    imported.current = false;
    v.on('selection.changed', (e) => { if (!importing.current) onSelectRef.current?.(e.newSelection[0] || null); });
    v.on('commandStack.changed', (e) => { if (e.trigger !== 'clear') onChangeRef.current?.(); });
    return () => { v.destroy(); viewer.current = null; };
  }, [editable]);

  useEffect(() => {
    if (!xml || !viewer.current) return;
    // The modeler holds the diagram being edited: a page that keeps the modeler's own saved XML
    // hands it back as `xml`, and importing it again would drop the selection and the undo history.
    if (editable && imported.current) {
      setImportedXml(xml);
      return;
    }
    let cancelled = false;
    setError(null);
    importing.current = true;
    viewer.current.importXML(xml).then(() => {
      importing.current = false;
      if (cancelled) return;
      fitClearOfPalette(viewer.current, box.current);
      imported.current = true;
      imports.current += 1;
      applied.current = [];
      setImportedXml(xml);
      onReady?.(viewer.current);
    }).catch((e) => { importing.current = false; if (!cancelled) setError(e.message || String(e)); });
    return () => { cancelled = true; };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [xml]);

  useEffect(() => {
    const v = viewer.current;
    if (!v || importedXml !== xml) return;
    const canvas = v.get('canvas');
    const registry = v.get('elementRegistry');
    const overlays = v.get('overlays');
    for (const [id, cls] of applied.current) {
      if (registry.get(id)) canvas.removeMarker(id, cls);
    }
    applied.current = [];
    overlays.remove({ type: 'govit-badge' });
    for (const [id, value] of Object.entries(markers || {})) {
      const el = findElement(registry, id);
      if (!el) continue;
      // A pool or lane is outlined, not filled (it would cover the whole diagram).
      const big = el.type === 'bpmn:Participant' || el.type === 'bpmn:Lane';
      for (const cls of [].concat(value)) {
        const name = big ? `${cls}-pool` : cls;
        canvas.addMarker(el.id, name);
        applied.current.push([el.id, name]);
      }
    }
    if (zoomToMarked && applied.current.length) zoomTo(v, applied.current.map(([id]) => registry.get(id)).filter(Boolean));
    for (const [id, text] of Object.entries(badges || {})) {
      const el = findElement(registry, id);
      if (!el || el.waypoints) continue;
      const node = document.createElement('div');
      node.className = 'govit-badge';
      node.textContent = text;
      overlays.add(el.id, 'govit-badge', { position: { top: -12, right: 8 }, html: node });
    }
  }, [markers, badges, importedXml, xml, zoomToMarked]);

  useEffect(() => {
    const v = viewer.current;
    if (!v || importedXml !== xml) return;
    // the same selection after the page handed back the modeler's own XML: nothing to do
    if (shownSelection.current.selected === selected && shownSelection.current.imports === imports.current) return;
    shownSelection.current = { selected, imports: imports.current };
    const registry = v.get('elementRegistry');
    const el = findElement(registry, selected);
    const selection = v.get('selection');
    if (el) {
      if (!selection.isSelected(el) || selection.get().length !== 1) selection.select(el);
      // a pool or lane is not scrolled to (it is the whole diagram, or most of it)
      if (el.type !== 'bpmn:Participant' && el.type !== 'bpmn:Lane') scrollToElement(v, el, focusZoom);
    } else {
      selection.select(null);
    }
  }, [selected, importedXml, xml]);

  return (
    <div className="bpmn-canvas-wrap" style={{ height }} data-testid={testid}>
      <div ref={box} className="bpmn-canvas" />
      {error && <div className="error-box canvas-error">流程图无法显示：{error}</div>}
    </div>
  );
}

const FIT_PADDING = 16;

// Width in screen pixels, from the canvas's left edge, that the modeler's palette covers (0 for
// a viewer, which has none).
function paletteCover(container) {
  const palette = container?.querySelector('.djs-palette');
  if (!palette) return 0;
  return Math.max(0, palette.getBoundingClientRect().right - container.getBoundingClientRect().left);
}

// Fit the whole diagram into the viewport right of the palette (no closer than 100 %), so that no
// element lies under the palette.
export function fitClearOfPalette(modeler, container) {
  const canvas = modeler.get('canvas');
  const { inner, outer } = canvas.viewbox();
  if (!inner.width || !inner.height || !outer.width) {
    canvas.zoom('fit-viewport', 'auto');
    return;
  }
  const left = paletteCover(container) + FIT_PADDING;
  const scale = Math.min(1, (outer.width - left - FIT_PADDING) / inner.width, (outer.height - 2 * FIT_PADDING) / inner.height);
  canvas.viewbox({ x: inner.x - left / scale, y: inner.y - FIT_PADDING / scale, width: outer.width / scale, height: outer.height / scale });
}

// Show these elements (with some context around them), no closer than 120 %.
export function zoomTo(modeler, elements) {
  const canvas = modeler.get('canvas');
  const boxes = elements.map((el) => (el.waypoints
    ? el.waypoints.reduce((b, p) => ({ x1: Math.min(b.x1, p.x), y1: Math.min(b.y1, p.y), x2: Math.max(b.x2, p.x), y2: Math.max(b.y2, p.y) }),
      { x1: Infinity, y1: Infinity, x2: -Infinity, y2: -Infinity })
    : { x1: el.x, y1: el.y, x2: el.x + el.width, y2: el.y + el.height }));
  if (!boxes.length) return;
  const x1 = Math.min(...boxes.map((b) => b.x1)) - 120;
  const y1 = Math.min(...boxes.map((b) => b.y1)) - 120;
  const x2 = Math.max(...boxes.map((b) => b.x2)) + 120;
  const y2 = Math.max(...boxes.map((b) => b.y2)) + 120;
  const outer = canvas.viewbox().outer;
  const scale = Math.min(1.2, outer.width / (x2 - x1), outer.height / (y2 - y1));
  const width = outer.width / scale;
  const height = outer.height / scale;
  canvas.viewbox({ x: (x1 + x2) / 2 - width / 2, y: (y1 + y2) / 2 - height / 2, width, height });
}

// Centre the element in the viewport unless it is already visible; with `zoomIn`, zoom a
// diagram fitted too small to read to 100 % around the element first.
export function scrollToElement(modeler, el, zoomIn = false) {
  const canvas = modeler.get('canvas');
  if (zoomIn && canvas.zoom() < 0.75) {
    canvas.zoom(1);
  }
  const vb = canvas.viewbox();
  const covered = paletteCover(canvas.getContainer()) / vb.scale; // the palette hides the left edge
  const x = el.x ?? (el.waypoints ? el.waypoints[0].x : 0);
  const y = el.y ?? (el.waypoints ? el.waypoints[0].y : 0);
  const w = el.width || 0;
  const h = el.height || 0;
  const inside = x >= vb.x + covered && y >= vb.y && x + w <= vb.x + vb.width && y + h <= vb.y + vb.height;
  if (!inside) {
    canvas.viewbox({ x: x + w / 2 - (vb.width + covered) / 2, y: y + h / 2 - vb.height / 2, width: vb.width, height: vb.height });
  }
}
