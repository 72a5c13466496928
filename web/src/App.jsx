import React, { Suspense, lazy } from 'react';
import { Navigate, Route, Routes, useLocation } from 'react-router-dom';
import { useAuth } from './auth.jsx';
import Layout from './components/Layout.jsx';
import LoginPage from './staff/LoginPage.jsx';
import TaskListPage from './staff/TaskListPage.jsx';
import { wasLoggedOut } from './staff/session.js';

// Pages load on first visit (bpmn-js, dmn-js and rjsf are large): login and 我的待办 come at once.
const TaskPage = lazy(() => import('./staff/TaskPage.jsx'));
const NoticesPage = lazy(() => import('./staff/NoticesPage.jsx'));
const DoneTasksPage = lazy(() => import('./staff/DoneTasksPage.jsx'));
const PrintPage = lazy(() => import('./staff/PrintPage.jsx'));
const CaseListPage = lazy(() => import('./staff/CaseListPage.jsx'));
const CasePage = lazy(() => import('./staff/CasePage.jsx'));
const StartPage = lazy(() => import('./staff/StartPage.jsx'));
const CatalogPage = lazy(() => import('./admin/CatalogPage.jsx'));
const ProcessPage = lazy(() => import('./admin/ProcessPage.jsx'));
const ModelerPage = lazy(() => import('./admin/ModelerPage.jsx'));
const DraftsPage = lazy(() => import('./admin/DraftsPage.jsx'));
const DiffPage = lazy(() => import('./admin/DiffPage.jsx'));
const MigrationPage = lazy(() => import('./admin/MigrationPage.jsx'));
const CoveragePage = lazy(() => import('./admin/CoveragePage.jsx'));
const NewJurisdictionPage = lazy(() => import('./admin/NewJurisdictionPage.jsx'));
const OrganisationPage = lazy(() => import('./admin/OrganisationPage.jsx'));
const UsersPage = lazy(() => import('./admin/UsersPage.jsx'));

function RequireLogin({ children, admin = false }) {
  const { me, loading } = useAuth();
  const location = useLocation();
  if (loading) return <p className="muted">正在加载…</p>;
  if (!me) {
    const from = wasLoggedOut() ? undefined : location.pathname + location.search;
    return <Navigate to="/login" replace state={from ? { from } : null} />;
  }
  if (admin && !me.is_admin) return <p className="error-box">仅管理员可以访问此页面</p>;
  return children;
}

// Staff pages live in staff/, process owners' and administrators' in admin/.
export default function App() {
  const page = (element, admin = false) => (
    <RequireLogin admin={admin}><Suspense fallback={<p className="muted">正在加载…</p>}>{element}</Suspense></RequireLogin>
  );
  return (
    <Routes>
      <Route path="/login" element={<LoginPage />} />
      <Route element={<Layout />}>
        <Route path="/" element={page(<TaskListPage />)} />
        <Route path="/tasks/:taskId" element={page(<TaskPage />)} />
        <Route path="/done" element={page(<DoneTasksPage />)} />
        <Route path="/notices" element={page(<NoticesPage />)} />
        <Route path="/cases" element={page(<CaseListPage />)} />
        <Route path="/started" element={page(<CaseListPage mine />)} />
        <Route path="/cases/:caseId" element={page(<CasePage />)} />
        <Route path="/cases/:caseId/print" element={page(<PrintPage />)} />
        <Route path="/start" element={page(<StartPage />)} />
        <Route path="/start/:processKey" element={page(<StartPage />)} />
        <Route path="/catalog" element={page(<CatalogPage />)} />
        <Route path="/catalog/:processKey" element={page(<ProcessPage />)} />
        <Route path="/coverage/:jurisdiction" element={page(<CoveragePage />)} />
        <Route path="/diff/:processKey/:a/:b" element={page(<DiffPage />)} />
        <Route path="/drafts" element={page(<DraftsPage />, true)} />
        <Route path="/drafts/:draftId" element={page(<ModelerPage />, true)} />
        <Route path="/drafts/:draftId/organisation" element={page(<OrganisationPage />, true)} />
        <Route path="/jurisdictions/new" element={page(<NewJurisdictionPage />, true)} />
        <Route path="/users" element={page(<UsersPage />, true)} />
        <Route path="/migrate/:processKey" element={page(<MigrationPage />, true)} />
        <Route path="*" element={<p className="error-box">页面不存在</p>} />
      </Route>
    </Routes>
  );
}
