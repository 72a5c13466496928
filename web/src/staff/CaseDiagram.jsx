// The case on its diagram: the case's own version, completed elements, current tokens and
// waiting timers marked, called subprocesses one click away (tabs per process).
import React, { useEffect, useMemo, useState } from 'react';
import { api } from '../api.js';
import BpmnViewer, { DiagramLegend } from '../components/BpmnViewer.jsx';
import { Loading, ProblemBox } from '../components/ui.jsx';

const xmlCache = new Map();
function fetchXml(key, version, file) {
  const k = `${key}@${version}/${file || ''}`;
  if (!xmlCache.has(k)) {
    const p = api.get(`/processes/${encodeURIComponent(key)}/bpmn`, { version, file });
    p.catch(() => xmlCache.delete(k));
    xmlCache.set(k, p);
  }
  return xmlCache.get(k);
}

// Without GET /instances/{id}/diagram (older servers): the version's main diagram, marked from
// the case's open tasks and completed steps.
function fromCase(item) {
  const completed = [...new Set((item.completed_steps || []).map((s) => s.bpmn_id).filter(Boolean))];
  const counts = {};
  for (const s of item.completed_steps || []) if (s.bpmn_id) counts[s.bpmn_id] = (counts[s.bpmn_id] || 0) + 1;
  return {
    process_key: item.process_key, version: item.version, derived: true,
    processes: [{ process_id: item.process_key, name: '主流程', file: null, completed,
      active: (item.open_tasks || []).map((t) => t.bpmn_id), waiting_timers: [], called: {}, counts }],
  };
}

export default function CaseDiagram({ item, refreshKey }) {
  const [state, setState] = useState(null);
  const [error, setError] = useState(null);
  const [index, setIndex] = useState(0);
  const [xml, setXml] = useState(null);
  const [xmlError, setXmlError] = useState(null);

  useEffect(() => {
    let live = true;
    setError(null);
    api.get(`/instances/${item.id}/diagram`)
      .then((d) => live && setState(d))
      .catch((e) => {
        if (!live) return;
        if (e.status === 404 || e.status === 405) setState(fromCase(item));
        else setError(e);
      });
    return () => { live = false; };
  }, [item, refreshKey]);

  const processes = state?.processes || [];
  const current = processes[Math.min(index, processes.length - 1)];
  const key = state?.process_key || item.process_key;
  const version = state?.version || item.version;

  useEffect(() => {
    if (!current) return;
    let live = true;
    setXml(null);
    setXmlError(null);
    fetchXml(key, version, current.file).then((x) => live && setXml(x)).catch((e) => live && setXmlError(e));
    return () => { live = false; };
  }, [key, version, current?.file]); // eslint-disable-line react-hooks/exhaustive-deps

  const marks = useMemo(() => current && ({
    completed: (current.completed || []).filter((id) => !(current.active || []).includes(id)),
    active: current.active || [],
    waiting: current.waiting_timers || [],
  }), [current]);
  const called = current?.called || {};
  const callable = Object.keys(called).filter((id) => processes.some((p) => p.process_id === called[id]));
  const openCalled = (callId) => {
    const i = processes.findIndex((p) => p.process_id === called[callId]);
    if (i >= 0) setIndex(i);
  };

  return (
    <section className="card" data-testid="case-diagram" aria-label="流程图">
      <div className="section-title">
        <h2>流程图</h2>
        <span className="muted small">版本 v{version}{state?.derived ? ' · 仅标注任务环节' : ''}</span>
        <DiagramLegend />
      </div>
      <ProblemBox error={error} />
      {!state && !error && <Loading text="正在加载流程图…" />}
      {processes.length > 1 && (
        <div className="tabs" role="tablist" aria-label="流程与子流程">
          {processes.map((p, i) => (
            <button key={`${p.process_id}-${i}`} type="button" role="tab" aria-selected={i === index}
              className={i === index ? 'active' : ''} onClick={() => setIndex(i)}>
              {i === 0 ? '主流程' : '子流程'}：{p.name || p.process_id}
              {(p.active || []).length > 0 && <span className="badge blue">办理中</span>}
              {(p.waiting_timers || []).length > 0 && <span className="badge amber">等待定时</span>}
              {i > 0 && !(p.active || []).length && !(p.waiting_timers || []).length && !(p.completed || []).length
                && <span className="badge">未开始</span>}
            </button>
          ))}
        </div>
      )}
      <ProblemBox error={xmlError} />
      {current && (
        <BpmnViewer xml={xml} marks={marks} counts={current.counts} processId={current.file ? current.process_id : undefined}
          onOpenCalled={callable.length ? openCalled : undefined} callable={callable} height={480}
          focus={(current.active || []).length ? current.active : (current.waiting_timers || []).map((w) => w.id || w)} />
      )}
    </section>
  );
}
