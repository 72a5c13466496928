import React, { useEffect, useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router-dom';
import { api } from '../api.js';
import { useAuth } from '../auth.jsx';
import FormView from '../components/FormView.jsx';
import { Empty, Loading, ProblemBox, useResource } from '../components/ui.jsx';
import { formatDate } from '../format.js';
import ArticlesPanel from './ArticlesPanel.jsx';
import { loadCatalog } from './catalog.js';

// Which processes the user may start: the server's `can_start` when it says so, else the
// applicant roles of the jurisdiction the user holds.
function startable(catalog, me) {
  const out = [];
  for (const j of catalog || []) {
    const held = new Set((me?.roles || []).filter((r) => r.jurisdiction === j.id).map((r) => r.role));
    const applicant = (j.roles || []).filter((r) => r.applicant && held.has(r.id));
    for (const p of j.processes || []) {
      const can = typeof p.can_start === 'boolean' ? p.can_start : applicant.length > 0;
      if (!can) continue;
      const inForce = (p.versions || []).find((v) => v.status === 'in_force');
      const lane = p.start_lane || applicant.map((r) => r.name).join('、');
      out.push({ jurisdiction: j, process: p, lane, inForce });
    }
  }
  return out;
}

function ProcessChooser() {
  const { me } = useAuth();
  const [catalog, setCatalog] = useState(null);
  const [error, setError] = useState(null);
  useEffect(() => { loadCatalog().then(setCatalog).catch(setError); }, []);
  const list = catalog ? startable(catalog, me) : [];
  return (
    <div>
      <div className="page-head"><h1>发起申报</h1></div>
      <ProblemBox error={error} />
      {!catalog && !error && <Loading />}
      {catalog && list.length === 0 && <Empty>您所在的部门没有可以发起的流程</Empty>}
      {list.length > 0 && (
        <table className="list" data-testid="start-table">
          <thead><tr><th>流程</th><th>辖区</th><th>依据</th><th>申报部门</th><th>现行版本</th><th /></tr></thead>
          <tbody>
            {list.map(({ jurisdiction, process, lane, inForce }) => (
              <tr key={process.key} data-testid="start-row">
                <td><strong>{process.name}</strong></td>
                <td>{jurisdiction.name}</td>
                <td className="small">{jurisdiction.regulation_title}</td>
                <td>{lane || '—'}</td>
                <td>{inForce ? `v${inForce.version}（${formatDate(inForce.effective_from)} 起施行）` : '—'}</td>
                <td><Link className="button small" to={`/start/${process.key}`}>填写申报</Link></td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

const EMPTY = {};

function StartForm({ processKey }) {
  const navigate = useNavigate();
  const { data: form, error, loading } = useResource(
    () => api.get(`/processes/${encodeURIComponent(processKey)}/start-form`), [processKey]);
  const [submitError, setSubmitError] = useState(null);
  const [busy, setBusy] = useState(false);
  const submit = async (data) => {
    setBusy(true);
    setSubmitError(null);
    try {
      const created = await api.post('/instances', { process_key: processKey, data });
      navigate(`/cases/${created.id}`, { state: { created: true } });
    } catch (e) {
      setSubmitError(e);
      setBusy(false);
    }
  };
  return (
    <div>
      <div className="breadcrumb"><Link to="/start">发起申报</Link> / {form?.name || processKey}</div>
      <div className="page-head">
        <h1>{form?.name ? `发起申报：${form.name}` : '发起申报'}</h1>
        {form && <span className="muted">版本 v{form.version}{form.lane ? ` · ${form.lane}` : ''}</span>}
      </div>
      <ProblemBox error={error} />
      {loading && !form && <Loading />}
      {form && form.can_start === false && (
        <div className="error-box" style={{ marginBottom: 12 }}>您所在的部门不能发起此流程{form.lane ? `（由${form.lane}发起）` : ''}。</div>
      )}
      {form && (
        <div className="task-layout">
          <div className="card">
            <FormView schema={form.schema} uiSchema={form.ui_schema} formData={EMPTY} onSubmit={submit}
              error={submitError} processKey={processKey} busy={busy} submitText="提交申报" testid="start-form" />
          </div>
          <ArticlesPanel item={form} />
        </div>
      )}
    </div>
  );
}

export default function StartPage() {
  const { processKey } = useParams();
  return processKey ? <StartForm processKey={processKey} /> : <ProcessChooser />;
}
