import React, { useState } from 'react';
import { Navigate, useLocation, useNavigate } from 'react-router-dom';
import { useAuth } from '../auth.jsx';
import { ProblemBox } from '../components/ui.jsx';
import { clearLoggedOut, wasLoggedOut } from './session.js';

export default function LoginPage() {
  const { me, login } = useAuth();
  const navigate = useNavigate();
  const location = useLocation();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const next = (!wasLoggedOut() && location.state?.from) || '/';
  if (me) return <Navigate to={next} replace />;

  const submit = async (e) => {
    e.preventDefault();
    setError(null);
    if (!username.trim() || !password) {
      setError({ title: '请输入用户名和密码' });
      return;
    }
    setBusy(true);
    try {
      await login(username.trim(), password);
      clearLoggedOut();
      navigate(next, { replace: true });
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="login-page">
      <form className="login-card" onSubmit={submit} noValidate data-testid="login-form">
        <h1>政务信息化项目流程服务</h1>
        <p className="sub">项目申报 · 审核审批 · 建设验收</p>
        <label>
          <span>用户名</span>
          <input name="username" autoComplete="username" value={username} autoFocus
            onChange={(e) => setUsername(e.target.value)} />
        </label>
        <label>
          <span>密码</span>
          <input name="password" type="password" autoComplete="current-password" value={password}
            onChange={(e) => setPassword(e.target.value)} />
        </label>
        <ProblemBox error={error} testid="login-error" />
        <button type="submit" disabled={busy}>{busy ? '正在登录…' : '登录'}</button>
      </form>
    </div>
  );
}
