import React from 'react';
import { NavLink, Outlet } from 'react-router-dom';
import { useAuth } from '../auth.jsx';
import { markLoggedOut } from '../staff/session.js';

export default function Layout() {
  const { me, logout } = useAuth();
  return (
    <div className="app">
      <header className="topbar">
        <span className="brand">政务信息化项目流程服务</span>
        {me && (
          <nav>
            <NavLink to="/" end>我的待办</NavLink>
            <NavLink to="/notices">抄送通知</NavLink>
            <NavLink to="/cases">我的案件</NavLink>
            <NavLink to="/start">发起申报</NavLink>
            <NavLink to="/catalog">法规与流程</NavLink>
            {me.is_admin && <NavLink to="/drafts">流程修订</NavLink>}
          </nav>
        )}
        {me && (
          <span className="who">
            <span data-testid="current-user">{me.display_name}</span>
            {me.unit && <span className="muted">（{me.unit}）</span>}
            <button type="button" className="link" onClick={() => { markLoggedOut(); logout(); }}>退出</button>
          </span>
        )}
      </header>
      <main className="content"><Outlet /></main>
    </div>
  );
}
