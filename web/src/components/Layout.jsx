import React, { useEffect, useState } from 'react';
import { NavLink, Outlet, useLocation } from 'react-router-dom';
import { api } from '../api.js';
import { useAuth } from '../auth.jsx';
import { markLoggedOut } from '../staff/session.js';

export default function Layout() {
  const { me, logout } = useAuth();
  const location = useLocation();
  const [unread, setUnread] = useState(0);
  // The unread 抄送 count, refreshed on every page change (a failure just hides the count).
  useEffect(() => {
    if (!me) return undefined;
    let live = true;
    const load = () => api.get('/notices', { unread: 'true' })
      .then((list) => live && setUnread(list.length)).catch(() => live && setUnread(0));
    load();
    window.addEventListener('govit:notices-changed', load);
    return () => { live = false; window.removeEventListener('govit:notices-changed', load); };
  }, [me, location.pathname, location.search]);
  return (
    <div className="app">
      <header className="topbar">
        <span className="brand">政务信息化项目流程服务</span>
        {me && (
          <nav>
            <NavLink to="/" end>我的待办</NavLink>
            <NavLink to="/done">我的已办</NavLink>
            <NavLink to="/started">我发起的</NavLink>
            <NavLink to="/notices">抄送与催办{unread > 0 && <span className="nav-count" data-testid="unread-count">{unread}</span>}</NavLink>
            <NavLink to="/cases">我的案件</NavLink>
            <NavLink to="/start">发起申报</NavLink>
            <NavLink to="/catalog">法规与流程</NavLink>
            {me.is_admin && <NavLink to="/drafts">流程修订</NavLink>}
            {me.is_admin && <NavLink to="/jurisdictions/new">新建辖区</NavLink>}
            {me.is_admin && <NavLink to="/users">用户管理</NavLink>}
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
