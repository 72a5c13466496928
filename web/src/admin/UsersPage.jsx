import React, { useMemo, useState } from 'react';
import { Link, useSearchParams } from 'react-router-dom';
import { api } from '../api.js';
import { Loading, ProblemBox, useLoad } from './common.jsx';
import './admin.css';
import './jurisdiction.css';

const EMPTY = { username: '', name: '', unit: '', password: '', roles: [], active: true };
const roleKey = (r) => `${r.jurisdiction}\u0000${r.role}`;

// The offices an account holds, per jurisdiction (a jurisdiction still being drafted is marked).
function OfficePicker({ directory, roles, onChange }) {
  const held = new Set(roles.map(roleKey));
  const toggle = (ref, on) => onChange(on ? [...roles, ref] : roles.filter((r) => roleKey(r) !== roleKey(ref)));
  return (
    <div className="offices" data-testid="office-picker">
      {directory.map((j) => (
        <fieldset key={j.jurisdiction}>
          <legend>{j.jurisdiction_name}{j.pending && <span className="badge blue">新建中</span>}</legend>
          {j.offices.length === 0 && <span className="muted small">尚未设置机构</span>}
          {j.offices.map((o) => {
            const ref = { jurisdiction: j.jurisdiction, role: o.role };
            return (
              <label className="inline" key={o.role}>
                <input type="checkbox" checked={held.has(roleKey(ref))} aria-label={`${j.jurisdiction_name} ${o.name}`}
                  onChange={(e) => toggle(ref, e.target.checked)} />{o.name}
              </label>
            );
          })}
        </fieldset>
      ))}
    </div>
  );
}

// New account or changes to one. The login name is typed here and appears nowhere else.
function UserForm({ user, directory, units, onSaved, onCancel }) {
  const creating = !user;
  const [form, setForm] = useState(user ? { ...EMPTY, ...user, password: '', roles: user.roles.map(({ jurisdiction, role }) => ({ jurisdiction, role })) } : EMPTY);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const set = (key) => (e) => setForm({ ...form, [key]: e.target.type === 'checkbox' ? e.target.checked : e.target.value });
  const submit = async (e) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const { username, name, unit, password, roles, active } = form;
      const saved = creating
        ? await api.post('/users', { username: username.trim(), name, unit, password, roles, active })
        : await api.patch(`/users/${encodeURIComponent(user.username)}`,
          { name, unit: unit || '', roles, active, ...(password ? { password } : {}) });
      onSaved(saved);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form className="card user-form" onSubmit={submit} data-testid="user-form">
      <h2>{creating ? '新建用户' : `修改用户：${user.label}`}</h2>
      <div className="grid">
        <label className="field"><span>登录名</span>
          <input value={form.username} onChange={set('username')} disabled={!creating} aria-label="登录名"
            autoComplete="off" placeholder="字母、数字、下划线" required />
        </label>
        <label className="field"><span>姓名</span>
          <input value={form.name} onChange={set('name')} aria-label="姓名" required />
        </label>
        <label className="field"><span>单位</span>
          <input value={form.unit || ''} onChange={set('unit')} aria-label="单位" list="known-units" />
        </label>
        <label className="field"><span>{creating ? '初始密码（至少 8 位）' : '新密码（不改请留空）'}</span>
          <input type="password" value={form.password} onChange={set('password')} aria-label={creating ? '初始密码' : '新密码'}
            autoComplete="new-password" required={creating} />
        </label>
      </div>
      <datalist id="known-units">{units.map((u) => <option key={u} value={u} />)}</datalist>
      <h3>所属机构</h3>
      <OfficePicker directory={directory} roles={form.roles} onChange={(roles) => setForm({ ...form, roles })} />
      <label className="inline"><input type="checkbox" checked={form.active} onChange={set('active')} aria-label="启用" />启用（停用后不能登录）</label>
      <ProblemBox error={error} />
      <div className="action-bar">
        <button type="submit" disabled={busy}>{busy ? '正在保存…' : '保存'}</button>
        <button type="button" className="secondary" onClick={onCancel}>取消</button>
      </div>
    </form>
  );
}

function officesOf(user) {
  return user.roles.map((r) => `${r.jurisdiction_name} · ${r.office}`).join('；');
}

// 用户管理 (administrators): accounts as 姓名（单位）, their offices, active or not.
export default function UsersPage() {
  const [search, setSearch] = useSearchParams();
  const users = useLoad(() => api.get('/users'), []);
  const directory = useLoad(() => api.get('/users/offices'), []);
  const [editing, setEditing] = useState(null); // null: no form; 'new'; or a user
  const [error, setError] = useState(null);
  const [notice, setNotice] = useState('');
  const only = search.get('jurisdiction') || '';

  const units = useMemo(() => {
    const all = [...(directory.data || []).flatMap((j) => j.units || []), ...(users.data || []).map((u) => u.unit)];
    return [...new Set(all.filter(Boolean))].sort();
  }, [directory.data, users.data]);
  const shown = (users.data || []).filter((u) => !only || u.roles.some((r) => r.jurisdiction === only));
  const focus = (directory.data || []).find((j) => j.jurisdiction === only);
  // The jurisdiction being staffed first in the form, the others after it.
  const ordered = focus ? [focus, ...directory.data.filter((j) => j !== focus)] : directory.data;

  const saved = (user) => {
    setEditing(null);
    setNotice(`已保存：${user.label}`);
    users.reload();
  };
  const toggle = async (user) => {
    setError(null);
    try {
      const changed = await api.patch(`/users/${encodeURIComponent(user.username)}`, { active: !user.active });
      setNotice(`${changed.label} 已${changed.active ? '启用' : '停用'}`);
      users.reload();
    } catch (err) {
      setError(err);
    }
  };

  return (
    <div>
      <div className="page-head">
        <h1>用户管理</h1>
        <div className="actions">
          <button type="button" onClick={() => { setNotice(''); setEditing('new'); }}>新建用户</button>
        </div>
      </div>
      <div className="filters">
        <label>辖区
          <select value={only} aria-label="按辖区筛选" onChange={(e) => setSearch(e.target.value ? { jurisdiction: e.target.value } : {})}>
            <option value="">全部辖区</option>
            {(directory.data || []).map((j) => <option key={j.jurisdiction} value={j.jurisdiction}>{j.jurisdiction_name}{j.pending ? '（新建中）' : ''}</option>)}
          </select>
        </label>
        {focus?.pending && <span className="muted">该辖区尚未部署：人员在部署后即可办理。</span>}
      </div>
      {notice && <p className="ok-box" role="status">{notice}</p>}
      <ProblemBox error={error || users.error || directory.error} />
      {editing && directory.data && (
        <UserForm key={editing === 'new' ? 'new' : editing.username} user={editing === 'new' ? null : editing}
          directory={ordered} units={units} onSaved={saved} onCancel={() => setEditing(null)} />
      )}
      {users.loading && !users.data && <Loading />}
      {users.data && (
        <table className="list" data-testid="users">
          <thead><tr><th>人员</th><th>所属机构</th><th>状态</th><th /></tr></thead>
          <tbody>
            {shown.map((u) => (
              <tr key={u.username} className={u.active ? '' : 'inactive'}>
                <td>{u.label}{u.is_admin && <span className="badge blue">系统管理员</span>}</td>
                <td>{officesOf(u) || <span className="muted">—</span>}</td>
                <td>{u.active ? <span className="badge green">启用</span> : <span className="badge red">已停用</span>}</td>
                <td className="links">
                  <button type="button" className="link" onClick={() => { setNotice(''); setEditing(u); }}>修改</button>
                  {!u.is_admin && <button type="button" className="link" onClick={() => toggle(u)}>{u.active ? '停用' : '启用'}</button>}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {users.data && shown.length === 0 && <p className="muted">该辖区还没有人员。</p>}
      <p className="muted small"><Link to="/drafts">返回流程修订</Link></p>
    </div>
  );
}
