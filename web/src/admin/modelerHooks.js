import { useEffect, useMemo } from 'react';
import { trialMarkers, visitedElements } from './TrialRun.jsx';

// The modeler page's effects and derived marks, each a hook of its own.

// Ctrl+S (⌘S) saves.
export function useSaveShortcut(save, readOnly) {
  useEffect(() => {
    const onKey = (e) => {
      if ((e.ctrlKey || e.metaKey) && e.key === 's') {
        e.preventDefault();
        if (!readOnly) save();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [save, readOnly]);
}

// A warning before leaving the page with unsaved edits: a reload, or a link inside the app (the
// top bar, ← 流程修订), which leaves the page without one.
export function useLeaveWarning(anyDirty, draftId) {
  useEffect(() => {
    if (!anyDirty) return undefined;
    const handler = (e) => { e.preventDefault(); e.returnValue = ''; };
    const onLink = (e) => {
      const link = e.target.closest?.('a[href]');
      if (!link || link.target === '_blank' || link.href.endsWith(`/drafts/${draftId}`)) return;
      if (!window.confirm('有未保存的修改，离开此页将丢失这些修改。确定离开？')) {
        e.preventDefault();
        e.stopPropagation();
      }
    };
    window.addEventListener('beforeunload', handler);
    document.addEventListener('click', onLink, true);
    return () => {
      window.removeEventListener('beforeunload', handler);
      document.removeEventListener('click', onLink, true);
    };
  }, [anyDirty, draftId]);
}

// The browser tests' hook while a BPMN tab is open:
//   window.__govitModeler = {file, modeler, saveXML: () => Promise<string>, select: (id) => boolean}
// (the bpmn-js Modeler of that tab, its current XML, and selecting an element by id so that the
// properties panel shows it — the palette can cover shapes at the left edge).
export function useModelerTestHook(bpmn, active) {
  useEffect(() => {
    if (!bpmn || !active?.endsWith('.bpmn')) return undefined;
    window.__govitModeler = {
      file: active,
      modeler: bpmn,
      saveXML: async () => (await bpmn.saveXML({ format: true })).xml,
      select: (id) => {
        const el = bpmn.get('elementRegistry').get(id);
        if (el) bpmn.get('selection').select(el);
        return Boolean(el);
      },
    };
    return () => { delete window.__govitModeler; };
  }, [bpmn, active]);
}

// Marker classes and badges on the open diagram: each finding's element red (error) or amber,
// with its count of problems; during 试运行 also the simulation's visited elements and flows.
export function useDiagramMarks(findings, active, trial, bpmn, simulation) {
  const findingMarkers = useMemo(() => {
    const m = {};
    for (const f of findings) {
      if (f.file !== active || !f.element) continue;
      if (m[f.element] !== 'govit-error') m[f.element] = f.severity === 'error' ? 'govit-error' : 'govit-warning';
    }
    return m;
  }, [findings, active]);
  const markers = useMemo(() => (trial && bpmn
    ? trialMarkers(bpmn.get('elementRegistry'), visitedElements(simulation), findingMarkers)
    : findingMarkers), [trial, bpmn, simulation, findingMarkers]);
  const badges = useMemo(() => {
    const counts = {};
    for (const f of findings) if (f.file === active && f.element) counts[f.element] = (counts[f.element] || 0) + 1;
    return Object.fromEntries(Object.entries(counts).map(([id, n]) => [id, `${n} 个问题`]));
  }, [findings, active]);
  return { markers, badges };
}
