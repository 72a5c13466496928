import React from 'react';
import { Link } from 'react-router-dom';
import { api } from '../api.js';
import { useAuth } from '../auth.jsx';
import { formatDate } from '../format.js';
import { Loading, ProblemBox, useLoad, VersionCells } from './common.jsx';
import './admin.css';

// 法规与流程: every jurisdiction, its regulation, processes and their versions.
export default function CatalogPage() {
  const { me } = useAuth();
  const { data, error, loading } = useLoad(() => api.get('/jurisdictions'), []);
  return (
    <div data-testid="catalog">
      <h1>法规与流程</h1>
      {loading && <Loading />}
      <ProblemBox error={error} />
      {(data || []).map((j) => (
        <div className="card" key={j.id} data-testid={`jurisdiction-${j.id}`}>
          <div className="section-title">
            <h2>{j.name}</h2>
            <span className="grow" />
            <Link to={`/coverage/${encodeURIComponent(j.id)}`}>条款覆盖表</Link>
            {me?.is_admin && <Link to={`/drafts?jurisdiction=${encodeURIComponent(j.id)}`}>修订此法规的流程</Link>}
          </div>
          <p>
            《{j.regulation_title}》
            {j.regulation_status === 'draft' && <span className="badge" data-testid="draft-badge">{j.regulation_status_label}</span>}
            <span className="muted" data-testid="effective-from">
              　{j.effective_from_stated ? '施行日期' : '本系统执行日期'}：{j.effective_from ? formatDate(j.effective_from) : '尚未部署'}
              {j.effective_from_note && `（${j.effective_from_note}）`}
            </span>
          </p>
          {j.processes.map((p) => {
            const versions = [...(p.versions || [])].sort((a, b) => b.version - a.version);
            const latest = versions[0];
            const previous = versions[1];
            return (
              <div key={p.key} style={{ marginBottom: 14 }}>
                <div className="toolbar">
                  <strong>{p.name}</strong>
                  <span className="links">
                    <Link to={`/catalog/${encodeURIComponent(p.key)}`}>查看流程图与决策表</Link>
                    {previous && (
                      <Link to={`/diff/${encodeURIComponent(p.key)}/${previous.version}/${latest.version}`}>
                        比较版本 {previous.version} → {latest.version}
                      </Link>
                    )}
                    {me?.is_admin && versions.length > 1 && (
                      <Link to={`/migrate/${encodeURIComponent(p.key)}`}>迁移案件</Link>
                    )}
                  </span>
                </div>
                <table className="compact">
                  <thead>
                    <tr><th>版本</th><th>状态</th><th>生效日期</th><th>失效日期</th><th>部署</th><th>案件数</th><th>在办案件</th><th /></tr>
                  </thead>
                  <tbody>
                    {versions.map((v) => (
                      <tr key={v.version}>
                        <td>第 {v.version} 版</td>
                        <VersionCells v={v} />
                        <td><Link to={`/catalog/${encodeURIComponent(p.key)}?version=${v.version}`}>查看此版</Link></td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            );
          })}
        </div>
      ))}
    </div>
  );
}
