import React from 'react';

// 试运行 on the diagram: the simulation's explored paths (the elements they went through, and the
// flows between two such elements) and its findings as marker classes on the open diagram.

// Every element id some explored path went through, whatever process ran it.
export function visitedElements(simulation) {
  const out = new Set();
  for (const summary of Object.values(simulation?.processes || {})) {
    for (const id of summary.visited_elements || []) out.add(id);
  }
  return out;
}

// {bpmnId: class} for the open diagram: a finding's colour wins over 模拟经过.
export function trialMarkers(registry, visited, findingMarkers) {
  const out = {};
  if (!registry) return { ...findingMarkers };
  for (const id of visited) {
    const el = registry.get(id);
    if (el && el.type !== 'bpmn:Participant' && el.type !== 'bpmn:Lane' && el.type !== 'bpmn:Process') out[id] = 'govit-visited';
  }
  for (const flow of registry.filter((e) => e.type === 'bpmn:SequenceFlow')) {
    if (visited.has(flow.source?.id) && visited.has(flow.target?.id)) out[flow.id] = 'govit-walked';
  }
  return { ...out, ...findingMarkers };
}

// What the simulation explored, in a sentence per process, and the legend of the colours.
export function TrialLegend({ simulation, processNames, onClose }) {
  const processes = Object.entries(simulation?.processes || {});
  return (
    <div className="trial-legend" data-testid="trial-legend">
      <div className="legend">
        <strong>试运行</strong>
        <span><i className="l-visited" />模拟经过的环节</span>
        <span><i className="l-walked" />模拟走过的连线</span>
        <span><i className="l-error" />错误（含无法到达的环节）</span>
        <span><i className="l-warning" />警告</span>
        <span><i className="l-unvisited" />未标色：模拟未经过</span>
        <button type="button" className="link" onClick={onClose}>隐藏试运行标记</button>
      </div>
      <ul className="trial-processes">
        {processes.map(([key, s]) => (
          <li key={key}>
            {processNames[key] || '流程'}：探索了 {s.states} 个状态，走完 {s.paths_completed} 条路径，
            经过 {s.visited} 个环节{s.complete ? '' : '（达到探索上限，结果不完整）'}
          </li>
        ))}
      </ul>
    </div>
  );
}
