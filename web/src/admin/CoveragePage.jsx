import React, { useMemo, useState } from 'react';
import { Link, useParams } from 'react-router-dom';
import { api } from '../api.js';
import { Loading, ProblemBox, useLoad } from './common.jsx';
import './admin.css';

// 条款覆盖表: every article of the regulation with the elements that implement it, or the
// bundle's note on it (no process effect, or the interpretation the owner recorded).
export default function CoveragePage() {
  const { jurisdiction } = useParams();
  const cov = useLoad(() => api.get(`/jurisdictions/${encodeURIComponent(jurisdiction)}/coverage`), [jurisdiction]);
  const arts = useLoad(() => api.get(`/jurisdictions/${encodeURIComponent(jurisdiction)}/articles`).catch(() => []), [jurisdiction]);
  const juris = useLoad(() => api.get('/jurisdictions').then((all) => all.find((j) => j.id === jurisdiction) || null), [jurisdiction]);
  const [onlyMissing, setOnlyMissing] = useState(false);
  const texts = useMemo(() => Object.fromEntries((arts.data || []).map((a) => [a.article, a.text])), [arts.data]);
  const processKey = juris.data?.processes?.[0]?.key;

  const rows = useMemo(() => {
    const list = (cov.data?.articles || []).map((a) => ({ ...a, missing: a.covered === false }));
    for (const u of cov.data?.uncited || []) {
      if (!list.some((a) => a.article === u)) list.push({ article: u, elements: [], missing: true });
    }
    return list;
  }, [cov.data]);
  const missing = rows.filter((r) => r.missing);
  const shown = onlyMissing ? missing : rows;

  return (
    <div>
      <p><Link to="/catalog">← 法规与流程</Link></p>
      <h1>条款覆盖表 <span className="muted">{juris.data?.name || jurisdiction}</span></h1>
      {juris.data && <p>《{juris.data.regulation_title}》</p>}
      {cov.loading && <Loading />}
      <ProblemBox error={cov.error} />
      {cov.data && (
        <div className="card" data-testid="coverage">
          <div className="toolbar">
            <span>共 {rows.length} 条条款，</span>
            {missing.length
              ? <span className="badge red">{missing.length} 条既无元素实现、也无说明：{missing.map((m) => m.article).join('、')}</span>
              : <span className="badge green">每一条都有元素实现或说明</span>}
            <label className="inline"><input type="checkbox" checked={onlyMissing} onChange={(e) => setOnlyMissing(e.target.checked)} />只看未覆盖的条款</label>
          </div>
          <table className="compact">
            <thead><tr><th style={{ width: 110 }}>条款</th><th>条文</th><th>实现该条款的元素（文件 · 元素）</th></tr></thead>
            <tbody>
              {shown.map((a) => (
                <tr key={a.article} className={a.missing ? 'missing' : ''} data-testid={a.missing ? 'uncited-article' : undefined}>
                  <td className="nowrap"><span className="article">{a.article}</span></td>
                  <td className="muted" style={{ maxWidth: 420 }}>{texts[a.article] ? clip(texts[a.article], 160) : '—'}</td>
                  <td>
                    {a.missing && <strong className="sev-error">无元素引用此条款，也无说明</strong>}
                    {a.note && <div data-testid="article-note">{a.note}</div>}
                    {!a.missing && !a.note && !(a.elements || []).length && <span className="muted">见其各项</span>}
                    {(a.elements || []).map((e, i) => (
                      <div key={i}>
                        <span className="muted">{e.file?.endsWith('.dmn') ? '决策表' : '流程图'}</span> ·{' '}
                        {processKey && e.file?.endsWith('.bpmn')
                          ? <Link to={`/catalog/${encodeURIComponent(processKey)}?${new URLSearchParams({ file: e.file, element: e.element })}`}>{e.name || '（未命名元素）'}</Link>
                          : (e.name || '（未命名元素）')}
                      </div>
                    ))}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {processKey && <p className="muted">流程图中的元素见 <Link to={`/catalog/${encodeURIComponent(processKey)}`}>流程页</Link>。</p>}
        </div>
      )}
    </div>
  );
}

function clip(s, n) {
  return s.length > n ? `${s.slice(0, n)}…` : s;
}
