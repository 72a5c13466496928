import React, { useEffect, useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router-dom';
import { api } from '../api.js';
import { Loading, ProblemBox, useLoad } from './common.jsx';
import ProcessTitles from './ProcessTitles.jsx';
import './admin.css';
import './jurisdiction.css';

const blankOffice = () => ({ role: null, name: '', applicant: false, case_control: false, lanes: [] });

// The offices (each a lane of the diagrams): name, whether it is the applying unit, whether it
// may suspend, resume and terminate cases. Internal identifiers stay with the rows, never shown.
function OfficesTable({ offices, onChange }) {
  const update = (i, patch) => onChange(offices.map((o, j) => (j === i ? { ...o, ...patch } : o)));
  return (
    <table className="compact org-table" data-testid="offices">
      <thead><tr><th>机构名称（泳道）</th><th>申报单位</th><th>可暂停、恢复、终止案件</th><th>流程图中的泳道</th><th /></tr></thead>
      <tbody>
        {offices.map((o, i) => (
          <tr key={o.role || `new-${i}`}>
            <td><input value={o.name} aria-label={`第${i + 1}个机构的名称`} placeholder="如：县数据局"
              onChange={(e) => update(i, { name: e.target.value })} /></td>
            <td><input type="checkbox" checked={o.applicant} aria-label={`${o.name || `第${i + 1}个机构`}是申报单位`}
              onChange={(e) => update(i, { applicant: e.target.checked })} /></td>
            <td><input type="checkbox" checked={o.case_control} aria-label={`${o.name || `第${i + 1}个机构`}可管控案件`}
              onChange={(e) => update(i, { case_control: e.target.checked })} /></td>
            <td className="muted small">{o.lanes?.length ? o.lanes.join('、') : '—'}</td>
            <td><button type="button" className="link" onClick={() => onChange(offices.filter((_, j) => j !== i))}>删除</button></td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function UnitsList({ units, onChange }) {
  return (
    <div className="org-units" data-testid="units">
      {units.map((u, i) => (
        <div className="unit-row" key={i}>
          <input value={u} aria-label={`第${i + 1}个单位`} placeholder="如：县教育局"
            onChange={(e) => onChange(units.map((x, j) => (j === i ? e.target.value : x)))} />
          <button type="button" className="link" onClick={() => onChange(units.filter((_, j) => j !== i))}>删除</button>
        </div>
      ))}
    </div>
  );
}

// A new, empty process drawn in the offices' lanes, opened in the modeler.
function NewProcess({ draftId, disabled }) {
  const navigate = useNavigate();
  const [name, setName] = useState('');
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const add = async (e) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await api.post(`/drafts/${draftId}/processes`, { name: name.trim() });
      navigate(`/drafts/${draftId}`);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form className="toolbar" onSubmit={add}>
      <input value={name} onChange={(e) => setName(e.target.value)} placeholder="流程名称，如：项目立项审批"
        aria-label="流程名称" style={{ minWidth: 280 }} />
      <button type="submit" disabled={disabled || busy || !name.trim()}>新建流程并打开流程设计</button>
      <ProblemBox error={error} />
    </form>
  );
}

// 机构与单位 (step 2 of 3) of a draft: saved into the draft's manifest; then its people
// (用户管理) and its processes (the modeler).
export default function OrganisationPage() {
  const { draftId } = useParams();
  const org = useLoad(() => api.get(`/drafts/${draftId}/organisation`), [draftId]);
  const draft = useLoad(() => api.get(`/drafts/${draftId}`), [draftId]);
  const [offices, setOffices] = useState([]);
  const [units, setUnits] = useState([]);
  const [revision, setRevision] = useState(null);  // the draft's: moved by this form and by a case title
  const [dirty, setDirty] = useState(false);
  const [saved, setSaved] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);

  useEffect(() => {
    if (!org.data) return;
    setOffices(org.data.offices);
    setUnits(org.data.units);
    setRevision(org.data.revision);
    setDirty(false);
  }, [org.data]);

  const change = (setter) => (value) => { setter(value); setDirty(true); setSaved(false); };
  const save = async () => {
    setBusy(true);
    setError(null);
    try {
      const body = {
        offices: offices.map(({ role, name, applicant, case_control: control }) => ({ role, name, applicant, case_control: control })),
        units, revision,
      };
      const result = await api.put(`/drafts/${draftId}/organisation`, body);
      org.setData(result);
      draft.reload();
      setSaved(true);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  if (org.loading && !org.data) return <Loading />;
  if (org.error) return <ProblemBox error={org.error} />;
  const editing = draft.data?.status === 'editing';
  return (
    <div>
      <div className="breadcrumb"><Link to="/drafts">流程修订</Link> › {org.data.jurisdiction_name} › 机构与单位</div>
      <div className="page-head">
        <h1>{org.data.jurisdiction_name}：机构与单位</h1>
        <span className="muted">第 2 步（共 3 步）</span>
      </div>
      <ol className="wizard-steps" aria-label="步骤">
        <li>辖区与办法</li><li className="active">机构与单位</li><li>用户与流程</li>
      </ol>
      <div className="card">
        <h2>办理机构</h2>
        <p className="muted">每个机构是流程图中的一条泳道。改名会同时修改流程图中的泳道名；流程图中仍有其泳道的机构不能删除。</p>
        <OfficesTable offices={offices} onChange={change(setOffices)} />
        <div className="toolbar" style={{ marginTop: 8 }}>
          <button type="button" className="secondary small" onClick={() => change(setOffices)([...offices, blankOffice()])}>添加机构</button>
        </div>
        <h2>单位</h2>
        <p className="muted">办事人员所在的单位（如申报项目的各委办局），在用户管理中为人员选择。</p>
        <UnitsList units={units} onChange={change(setUnits)} />
        <div className="toolbar" style={{ marginTop: 8 }}>
          <button type="button" className="secondary small" onClick={() => change(setUnits)([...units, ''])}>添加单位</button>
        </div>
        <ProblemBox error={error} />
        <div className="action-bar">
          <button type="button" onClick={save} disabled={busy || !dirty || !editing}>{busy ? '正在保存…' : '保存机构与单位'}</button>
          {dirty && <span className="muted">有未保存的修改</span>}
          {saved && !dirty && <span className="ok-box" role="status">已保存</span>}
        </div>
      </div>
      <div className="card">
        <h2>下一步：用户与流程</h2>
        <p><Link to={`/users?jurisdiction=${encodeURIComponent(draft.data?.jurisdiction || '')}`}>用户管理：为各机构添加人员</Link></p>
        {revision !== null && <ProcessTitles draftId={draftId} revision={revision} editing={editing}
          onSaved={(moved) => { setRevision(moved); draft.reload(); }} />}
        {editing && <NewProcess draftId={draftId} disabled={dirty || offices.length === 0} />}
        {dirty && <p className="muted">请先保存机构与单位，再新建流程。</p>}
      </div>
    </div>
  );
}
