import React, { useEffect, useMemo, useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router-dom';
import { api, request } from '../api.js';
import BpmnCanvas from './BpmnCanvas.jsx';
import { CHANGE_BADGE, CHANGE_LABELS, classifyFiles, Loading, ProblemBox, Tabs, useLoad } from './common.jsx';
import { areaLabel, AREA_KEYS, kindLabel } from './diffLabels.js';
import { elementNames, fileNames, inWords } from './bundleNames.js';
import { loadVersionFiles } from './ProcessPage.jsx';
import './admin.css';

// The Chinese sentences of a diff and its counts (also used by the modeler for a draft's diff);
// with the bundle's `files` and element `names`, a file name or id a sentence quotes reads in words.
export function DiffSummary({ diff, files = {}, names = {} }) {
  const counts = diff.counts || {};
  return (
    <div data-testid="diff-summary" className="diff-summary">
      <p>
        <span className="badge green">新增 {counts.added || 0}</span>{' '}
        <span className="badge red">删除 {counts.removed || 0}</span>{' '}
        <span className="badge amber">修改 {counts.changed || 0}</span>
      </p>
      {(diff.summary || []).length === 0 ? <p className="muted">两者没有实质差异。</p> : (
        <ol>{diff.summary.map((s, i) => <li key={i}>{inWords(s, files, names)}</li>)}</ol>
      )}
    </div>
  );
}

// before → after of one change, as the server says it in words: each changed cell, deadline,
// condition or setting by its label, the old words struck through in colour beside the new.
function BeforeAfter({ change }) {
  const details = change.details || [];
  if (!details.length) return <span className="muted">—</span>;
  return (
    <div>
      {details.map((d, i) => (
        <div key={i} data-testid="diff-detail">
          <span className="muted">{d.label}：</span>
          {d.before != null && <span className="before">{d.before}</span>}
          {d.before != null && d.after != null && ' → '}
          {d.after != null && <span className="after">{d.after}</span>}
        </div>
      ))}
    </div>
  );
}

export default function DiffPage() {
  const { processKey, a, b } = useParams();
  const navigate = useNavigate();
  const key = encodeURIComponent(processKey);
  const diff = useLoad(() => api.get(`/processes/${key}/versions/${a}/diff/${b}`), [key, a, b]);
  const versions = useLoad(() => api.get(`/processes/${key}/versions`), [key]);
  const filesA = useLoad(() => loadVersionFiles(processKey, Number(a)), [processKey, a]);
  const filesB = useLoad(() => loadVersionFiles(processKey, Number(b)), [processKey, b]);
  const [tab, setTab] = useState(null);
  const [selected, setSelected] = useState(null);
  const [area, setArea] = useState('');

  const changes = diff.data?.changes || [];
  const bpmnChanges = changes.filter((c) => c.area === 'bpmn');
  const files = useMemo(() => {
    const inA = classifyFiles(filesA.data?.files).bpmn;
    const inB = classifyFiles(filesB.data?.files).bpmn;
    return [...new Set([...inB, ...inA])];
  }, [filesA.data, filesB.data]);
  const changedFiles = useMemo(() => new Set(bpmnChanges.map((c) => c.file)), [bpmnChanges]);
  // Files and the process by their Chinese names (the newer version's, else the older one's).
  const allFiles = useMemo(() => ({ ...(filesA.data?.files || {}), ...(filesB.data?.files || {}) }), [filesA.data, filesB.data]);
  const names = useMemo(() => fileNames(allFiles), [allFiles]);
  const elements = useMemo(() => elementNames(allFiles), [allFiles]);
  const words = (text) => inWords(text, names, elements);
  const processName = useMemo(() => {
    for (const loaded of [filesB, filesA]) {
      try {
        const found = (JSON.parse(loaded.data?.files?.['manifest.json'] || '{}').processes || []).find((p) => p.key === processKey);
        if (found?.name) return found.name;
      } catch (e) { /* an unreadable manifest: the other version's, or 流程 */ }
    }
    return '流程';
  }, [filesA, filesB, processKey]);

  const [picked, setPicked] = useState(false);
  useEffect(() => {
    if (!files.length || !diff.data) return;
    if (!files.includes(tab) || (!picked && !changedFiles.has(tab) && changedFiles.size)) {
      setTab(files.find((f) => changedFiles.has(f)) || files[0]);
    }
  }, [files, changedFiles, tab, picked, diff.data]);

  const marks = useMemo(() => {
    const left = {};
    const right = {};
    for (const c of bpmnChanges) {
      if (c.file !== tab || !c.element) continue;
      if (c.change === 'removed') left[c.element] = 'diff-removed';
      else if (c.change === 'added') right[c.element] = 'diff-added';
      else { left[c.element] = 'diff-changed'; right[c.element] = 'diff-changed'; }
    }
    return { left, right };
  }, [bpmnChanges, tab]);

  const pick = (which, value) => {
    const next = { a, b, [which]: value };
    navigate(`/diff/${key}/${next.a}/${next.b}`);
  };
  const vs = [...(versions.data || [])].sort((x, y) => x.version - y.version);
  const dmnChanges = changes.filter((c) => c.area === 'dmn');
  const shown = area ? changes.filter((c) => c.area === area) : changes;
  const focus = (c) => {
    if (c.area === 'bpmn' && c.file) {
      setTab(c.file);
      setPicked(true);
      setSelected(c.element);
    }
  };

  return (
    <div>
      <p><Link to={`/catalog/${key}`}>← {processName}</Link></p>
      <h1>版本差异 <span className="muted">{processName}</span></h1>
      <div className="toolbar">
        <span>从</span>
        <select value={a} onChange={(e) => pick('a', e.target.value)} aria-label="原版本">
          {vs.map((v) => <option key={v.version} value={v.version}>第 {v.version} 版（{v.status_label}）</option>)}
          {!vs.some((v) => String(v.version) === a) && <option value={a}>第 {a} 版</option>}
        </select>
        <span>到</span>
        <select value={b} onChange={(e) => pick('b', e.target.value)} aria-label="新版本">
          {vs.map((v) => <option key={v.version} value={v.version}>第 {v.version} 版（{v.status_label}）</option>)}
          {!vs.some((v) => String(v.version) === b) && <option value={b}>第 {b} 版</option>}
        </select>
        <a href={`/api/v1/processes/${key}/versions/${a}/diff/${b}?format=text`} onClick={(e) => { e.preventDefault(); downloadText(key, a, b); }}>下载中文差异说明</a>
      </div>
      {diff.loading && <Loading />}
      <ProblemBox error={diff.error} />
      {diff.data && (
        <>
          <div className="card">
            <h2>第 {diff.data.from_version} 版 → 第 {diff.data.to_version} 版：修改摘要</h2>
            <DiffSummary diff={diff.data} files={names} names={elements} />
          </div>

          <div className="card">
            <div className="section-title">
              <h2>流程图对比</h2>
              <span className="legend">
                <span><i className="l-removed" />删除（左图）</span>
                <span><i className="l-added" />新增（右图）</span>
                <span><i className="l-changed" />修改（两图）</span>
              </span>
            </div>
            <ProblemBox error={filesA.error || filesB.error} />
            {files.length > 0 && (
              <Tabs active={tab} onChange={(t) => { setTab(t); setPicked(true); setSelected(null); }}
                items={files.map((f) => ({ key: f, label: `${names[f] || '流程图'}${changedFiles.has(f) ? `（${bpmnChanges.filter((c) => c.file === f).length} 处变化）` : ''}` }))} />
            )}
            {tab && (
              <div className="side-by-side" data-testid="diff-diagrams">
                {[[a, filesA, marks.left, 'a'], [b, filesB, marks.right, 'b']].map(([version, loaded, markers, side]) => (
                  <div key={side}>
                    <p><strong>第 {version} 版</strong></p>
                    {loaded.data?.files?.[tab]
                      ? <BpmnCanvas key={`${side}/${version}/${tab}`} xml={loaded.data.files[tab]} markers={markers} selected={selected}
                        height={480} zoomToMarked testid={`diff-diagram-${side}`}
                        onSelect={(el) => el && el.type !== 'bpmn:Process' && el.type !== 'bpmn:Collaboration' && setSelected(el.id)} />
                      : <p className="muted">{loaded.loading ? '正在加载…' : `第 ${version} 版中没有${names[tab] || '这张流程图'}`}</p>}
                  </div>
                ))}
              </div>
            )}
          </div>

          {dmnChanges.length > 0 && (
            <div className="card" data-testid="diff-dmn">
              <h2>决策表变化</h2>
              <table className="compact">
                <thead><tr><th>决策表</th><th>决策</th><th>变化</th><th>内容</th><th>修改前 → 修改后</th><th>依据条款</th></tr></thead>
                <tbody>
                  {dmnChanges.map((c, i) => (
                    <tr key={i}>
                      <td className="muted">{names[c.file] || '—'}</td>
                      <td>{elements[c.decision] || '—'}</td>
                      <td><span className={`badge ${CHANGE_BADGE[c.change] || ''}`}>{CHANGE_LABELS[c.change]}</span> {kindLabel(c.kind)}</td>
                      <td>{c.name || '—'}<div className="muted">{words(c.summary)}</div></td>
                      <td><BeforeAfter change={c} /></td>
                      <td>{(c.articles || []).map((x) => <span key={x} className="article">{x}</span>)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}

          <div className="card" data-testid="diff-changes">
            <div className="section-title">
              <h2>全部变化（{changes.length}）</h2>
              <select value={area} onChange={(e) => setArea(e.target.value)} aria-label="范围">
                <option value="">全部范围</option>
                {AREA_KEYS.map((k) => <option key={k} value={k}>{areaLabel(k)}</option>)}
              </select>
            </div>
            <table className="compact">
              <thead><tr><th>范围</th><th>类别</th><th>变化</th><th>元素</th><th>修改前 → 修改后</th><th>依据条款</th></tr></thead>
              <tbody>
                {shown.map((c, i) => (
                  <tr key={i} onClick={() => focus(c)} style={c.area === 'bpmn' ? { cursor: 'pointer' } : undefined}
                    className={selected && c.element === selected ? 'selected' : ''}>
                    <td>{areaLabel(c.area)}</td>
                    <td>{kindLabel(c.kind)}</td>
                    <td><span className={`badge ${CHANGE_BADGE[c.change] || ''}`}>{CHANGE_LABELS[c.change]}</span></td>
                    <td>
                      {c.name || '—'}
                      {c.file && <div className="muted" style={{ fontSize: 12 }}>{names[c.file]}</div>}
                      <div style={{ fontSize: 12 }}>{words(c.summary)}</div>
                    </td>
                    <td><BeforeAfter change={c} /></td>
                    <td>{(c.articles || []).map((x) => <span key={x} className="article">{x}</span>)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </div>
  );
}

async function downloadText(key, a, b) {
  const response = await request('GET', `/processes/${key}/versions/${a}/diff/${b}`, { query: { format: 'text' }, raw: true });
  const blob = new Blob([await response.text()], { type: 'text/plain;charset=utf-8' });
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = `${decodeURIComponent(key)}-v${a}-v${b}.txt`;
  link.click();
  URL.revokeObjectURL(url);
}
