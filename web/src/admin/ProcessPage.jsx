import React, { useEffect, useMemo, useRef, useState } from 'react';
import { Link, useParams, useSearchParams } from 'react-router-dom';
import { api } from '../api.js';
import { useAuth } from '../auth.jsx';
import BpmnCanvas from './BpmnCanvas.jsx';
import DecisionWords from './DecisionWords.jsx';
import { citedArticles, describeInWords, docInWords, fileTitle, timerOf, versionNames } from './bpmnInfo.js';
import { classifyFiles, documentationOf, Loading, ProblemBox, Tabs, typeLabel, useLoad, VersionCells } from './common.jsx';
import './admin.css';

// A version's files: GET /processes/{key}/files (BPMN, DMN, forms, manifest); where the service
// does not offer it yet, the diagrams alone from GET /processes/{key}/bpmn?file=*.
export async function loadVersionFiles(key, version) {
  try {
    return { ...(await api.get(`/processes/${encodeURIComponent(key)}/files`, { version })), partial: null };
  } catch (e) {
    if (e.status !== 404 && e.status !== 405) throw e;
    const files = await api.get(`/processes/${encodeURIComponent(key)}/bpmn`, { version, file: '*' });
    return { process_key: key, version, files, partial: e };
  }
}

export default function ProcessPage() {
  const { processKey } = useParams();
  const [search, setSearch] = useSearchParams();
  const { me } = useAuth();
  const proc = useLoad(() => api.get(`/processes/${encodeURIComponent(processKey)}`), [processKey]);
  const versions = useMemo(() => [...(proc.data?.versions || [])].sort((a, b) => b.version - a.version), [proc.data]);
  const fallback = (versions.find((v) => v.status === 'in_force') || versions[0])?.version;
  const version = Number(search.get('version')) || fallback;
  const files = useLoad(() => (version ? loadVersionFiles(processKey, version) : null), [processKey, version]);
  // The decision tables in words: the page shows these, not the DMN cells' expressions.
  const decisions = useLoad(() => (version
    ? api.get(`/processes/${encodeURIComponent(processKey)}/decisions`, { version }) : null), [processKey, version]);
  const articles = useLoad(() => (proc.data?.jurisdiction
    ? api.get(`/jurisdictions/${encodeURIComponent(proc.data.jurisdiction)}/articles`).catch(() => []) : []), [proc.data?.jurisdiction]);
  const kinds = useMemo(() => classifyFiles(files.data?.files), [files.data]);
  const [tab, setTab] = useState(null);
  const [selected, setSelected] = useState(null);
  const [cmp, setCmp] = useState({ a: '', b: '' });

  // ?file=…&element=… (links from the coverage table) open that file with the element selected.
  const wantedFile = search.get('file');
  const wantedElement = search.get('element');
  useEffect(() => {
    const all = [...kinds.bpmn, ...kinds.dmn];
    if (wantedFile && all.includes(wantedFile)) setTab(wantedFile);
    else if (!all.includes(tab)) setTab(all[0] || null);
    setSelected(null);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [kinds]);

  const isBpmn = tab && tab.endsWith('.bpmn');
  const bo = selected?.businessObject;
  const doc = documentationOf(bo);
  const called = bo?.$type === 'bpmn:CallActivity' && bo.calledElement && files.data
    ? calledProcess(bo.calledElement, files.data.files) : null;
  const names = useMemo(() => versionNames(files.data?.files), [files.data]);
  const said = useSaid(bo);
  const shownDoc = docInWords(doc, names);
  return (
    <div>
      <p><Link to="/catalog">← 法规与流程</Link></p>
      <h1>{proc.data?.name || '流程'}</h1>
      <ProblemBox error={proc.error} />
      {proc.data && (
        <div className="card">
          <div className="section-title"><h2>版本</h2>
            <span className="grow" />
            <Link to={`/coverage/${encodeURIComponent(proc.data.jurisdiction)}`}>条款覆盖表</Link>
            {me?.is_admin && versions.length > 1 && <Link to={`/migrate/${encodeURIComponent(processKey)}`}>迁移案件</Link>}
          </div>
          <table className="compact" data-testid="versions">
            <thead><tr><th>版本</th><th>状态</th><th>生效日期</th><th>失效日期</th><th>部署时间</th><th>案件数</th><th>在办</th><th>操作</th></tr></thead>
            <tbody>
              {versions.map((v, i) => (
                <tr key={v.version} className={v.version === version ? 'selected' : ''}>
                  <td>第 {v.version} 版{v.version === version && <span className="badge blue">正在查看</span>}</td>
                  <VersionCells v={v} />
                  <td className="links">
                    <button type="button" className="link" onClick={() => setSearch({ version: String(v.version) })}>查看流程图与决策表</button>
                    {versions[i + 1] && (
                      <Link to={`/diff/${encodeURIComponent(processKey)}/${versions[i + 1].version}/${v.version}`}>与上一版比较</Link>
                    )}
                    {me?.is_admin && v.cases_running > 0 && v.status !== 'in_force' && versions.length > 1 && (
                      <Link to={`/migrate/${encodeURIComponent(processKey)}?from=${v.version}`}>迁移在办案件</Link>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {versions.length > 1 && (
            <div className="toolbar" style={{ marginTop: 10 }}>
              <span>比较版本</span>
              <select value={cmp.a} onChange={(e) => setCmp({ ...cmp, a: e.target.value })} aria-label="原版本">
                <option value="">原版本</option>
                {versions.map((v) => <option key={v.version} value={v.version}>第 {v.version} 版</option>)}
              </select>
              <span>→</span>
              <select value={cmp.b} onChange={(e) => setCmp({ ...cmp, b: e.target.value })} aria-label="新版本">
                <option value="">新版本</option>
                {versions.map((v) => <option key={v.version} value={v.version}>第 {v.version} 版</option>)}
              </select>
              {cmp.a && cmp.b && cmp.a !== cmp.b
                ? <Link className="button" to={`/diff/${encodeURIComponent(processKey)}/${cmp.a}/${cmp.b}`}>比较</Link>
                : <button type="button" disabled>比较</button>}
            </div>
          )}
        </div>
      )}
      {version && (
        <div className="card">
          <h2>第 {version} 版的流程图与决策表</h2>
          {files.loading && <Loading />}
          <ProblemBox error={files.error} />
          {files.data?.partial && (
            <div className="error-box" style={{ marginBottom: 8 }}>
              服务暂未提供流程包文件接口（{files.data.partial.title}），只显示流程图，决策表暂不能显示。
            </div>
          )}
          {files.data && (
            <>
              <Tabs testid="file-tabs" active={tab} onChange={(t) => { setTab(t); setSelected(null); }}
                items={[...kinds.bpmn, ...kinds.dmn].map((p) => ({ key: p, label: fileTitle(p, files.data.files[p]) }))} />
              {isBpmn && (
                <div className="row">
                  <div className="grow">
                    <BpmnCanvas key={`${version}/${tab}`} xml={files.data.files[tab]} testid="diagram"
                      onSelect={(el) => setSelected(el)} height={600} focusZoom
                      selected={selected?.id || (tab === wantedFile ? wantedElement : null)} />
                  </div>
                  <div className="card doc-panel" data-testid="element-documentation">
                    {!bo && <p className="muted">点击流程图中的元素，查看其依据条款和设置。</p>}
                    {bo && (
                      <>
                        <h2>{bo.name || typeLabel(bo.$type)}</h2>
                        <p className="muted">{typeLabel(bo.$type)}</p>
                        {shownDoc ? <p className="doc">{shownDoc}</p> : <p className="muted">（无说明）</p>}
                        {citedArticles(doc, articles.data).map((a) => (
                          <div key={a.article} className="card" style={{ padding: 10 }}>
                            <span className="article">{a.article}</span>
                            <div className="doc">{a.text}</div>
                          </div>
                        ))}
                        <dl className="kv" data-testid="element-settings" data-asking={said.asking ? 'true' : undefined}>
                          {describeInWords(bo, selected, names, said, shownDoc).map((row, i) => (
                            <React.Fragment key={i}>
                              <dt>{row.label}</dt>
                              <dd>{row.text}
                                {row.expert && (
                                  <details className="expert" style={{ marginTop: 4 }}>
                                    <summary>{row.expert.label}</summary>
                                    {row.expert.parts.map((part, j) => (
                                      <div key={j}><span className="muted">{part.label}</span><pre style={{ whiteSpace: 'pre-wrap', margin: '2px 0' }}>{part.code}</pre></div>
                                    ))}
                                  </details>
                                )}
                              </dd>
                            </React.Fragment>
                          ))}
                        </dl>
                        {called && (
                          <p><Link to={`/catalog/${encodeURIComponent(processKey)}?version=${version}`}
                            onClick={(e) => { e.preventDefault(); setTab(called.path); }}>
                            打开子流程{called.name ? `：${called.name}` : ''}</Link></p>
                        )}
                      </>
                    )}
                  </div>
                </div>
              )}
              {tab && tab.endsWith('.dmn') && (
                <>
                  {decisions.loading && <Loading />}
                  <ProblemBox error={decisions.error} />
                  <DecisionWords key={`${version}/${tab}`} file={decisions.data?.files.find((f) => f.file === tab)} />
                </>
              )}
            </>
          )}
        </div>
      )}
    </div>
  );
}

// The sentences the server gives an element's timer and condition (POST /words/timer and
// /words/condition, which any signed-in user may ask of a rule in force): undefined while asked,
// null when not in words; `asking` while the server has not answered. Each expression is asked once per page.
function useSaid(bo) {
  const [said, setSaid] = useState({ asking: false });
  const asked = useRef(new Map());
  const timer = timerOf(bo)?.expression || '';
  const condition = bo?.conditionExpression?.body || '';
  useEffect(() => {
    let live = true;
    const ask = (kind, expression) => {
      if (!expression.trim()) return Promise.resolve(null);
      const key = `${kind}\n${expression}`;
      if (!asked.current.has(key)) {
        asked.current.set(key, api.post(`/words/${kind}`, { expression }).then((r) => r.sentence || null, () => null));
      }
      return asked.current.get(key);
    };
    setSaid({ asking: true });
    Promise.all([ask('timer', timer), ask('condition', condition)]).then(([t, c]) => {
      if (live) setSaid({ timer: t, condition: c, asking: false });
    });
    return () => { live = false; };
  }, [timer, condition]);
  return said;
}

// The file that holds a called process, and that process's name (a link names it, not its id).
function calledProcess(processId, files) {
  const needle = new RegExp(`<bpmn:process[^>]*\\bid="${processId.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}"[^>]*>`);
  for (const path of Object.keys(files).filter((p) => p.endsWith('.bpmn'))) {
    const tag = files[path].match(needle);
    if (tag) return { path, name: (tag[0].match(/\bname="([^"]*)"/) || [])[1] || '' };
  }
  return null;
}
