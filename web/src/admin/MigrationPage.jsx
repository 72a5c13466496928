import React, { useEffect, useMemo, useState } from 'react';
import { Link, useParams, useSearchParams } from 'react-router-dom';
import { api } from '../api.js';
import { Loading, ProblemBox, useLoad } from './common.jsx';
import './admin.css';

// Case migration (/migrate/:processKey): dry run case by case, apply for the chosen cases, revert.

function parseMapping(text) {
  const mapping = {};
  const bad = [];
  text.split(/[\n,，;；]+/).map((l) => l.trim()).filter(Boolean).forEach((line) => {
    const m = /^([^=\s]+)\s*=\s*([^=\s]+)$/.exec(line);
    if (m) mapping[m[1]] = m[2];
    else bad.push(line);
  });
  return { mapping, bad };
}

// The engine's words for what changed in a task spec.
const SPEC_WORDS = {
  decision_table: '决策表', outputs: '后续分支', inputs: '前序连接', cond_task_specs: '分支条件', name: '名称',
  bpmn_id: '元素 id', bpmn_name: '名称', mapped: '按任务对应迁移', script: '脚本', lane: '泳道', form: '表单',
  timer: '定时器', extensions: '扩展属性', documentation: '说明', condition: '条件', default_task_spec: '默认分支',
  prescript: '前置脚本', postscript: '后置脚本', expression: '表达式', event_definition: '事件定义',
};
const specWord = (w) => SPEC_WORDS[w] || w;

function ChangesCell({ changes }) {
  if (!changes || !Object.keys(changes).length) return <span className="muted">—</span>;
  const parts = [];
  const add = (prefix, c) => {
    if (c.added?.length) parts.push(`${prefix}新增：${c.added.join('、')}`);
    if (c.removed?.length) parts.push(`${prefix}删除：${c.removed.join('、')}`);
    const changed = Object.entries(c.changed || {});
    if (changed.length) parts.push(`${prefix}修改：${changed.map(([id, attrs]) => `${id}（${[].concat(attrs).map(specWord).join('、')}）`).join('；')}`);
  };
  add('', changes);
  for (const [name, sub] of Object.entries(changes.subprocesses || {})) add(`子流程 ${name} `, sub);
  return parts.length ? <div style={{ fontSize: 12 }}>{parts.map((p, i) => <div key={i}>{p}</div>)}</div> : <span className="muted">无影响</span>;
}

export default function MigrationPage() {
  const { processKey } = useParams();
  const [search] = useSearchParams();
  const key = encodeURIComponent(processKey);
  const versions = useLoad(() => api.get(`/processes/${key}/versions`), [key]);
  const vs = useMemo(() => [...(versions.data || [])].sort((a, b) => a.version - b.version), [versions.data]);
  const [from, setFrom] = useState(search.get('from') || '');
  const [to, setTo] = useState(search.get('to') || '');
  const [mappingText, setMappingText] = useState('');
  const [report, setReport] = useState(null);
  const [chosen, setChosen] = useState({});
  const [busy, setBusy] = useState(null);
  const [error, setError] = useState(null);
  const [applied, setApplied] = useState([]);

  useEffect(() => {
    if (!vs.length) return;
    const current = vs.find((v) => v.status === 'in_force') || vs[vs.length - 1];
    if (!to) setTo(String(current.version));
    if (!from) {
      const withCases = vs.filter((v) => v.version !== current.version && v.cases_running > 0);
      const pick = withCases[withCases.length - 1] || vs.filter((v) => v.version < current.version).pop() || vs[0];
      setFrom(String(pick.version));
    }
  }, [vs, from, to]);

  const { mapping, bad } = parseMapping(mappingText);

  const dryRun = async () => {
    setBusy('dry');
    setError(null);
    setReport(null);
    try {
      const out = await api.post(`/processes/${key}/versions/${from}/migrations`, { to_version: Number(to), apply: false, task_mapping: mapping });
      setReport(out);
      setChosen(Object.fromEntries(out.cases.filter((c) => c.can_migrate).map((c) => [c.instance_id, true])));
    } catch (e) {
      setError(e);
    } finally {
      setBusy(null);
    }
  };

  const apply = async () => {
    const ids = Object.keys(chosen).filter((id) => chosen[id]).map(Number);
    if (!ids.length) return;
    if (!window.confirm(`把 ${ids.length} 件案件从第 ${from} 版迁移到第 ${to} 版？每件案件单独迁移，可撤销。`)) return;
    setBusy('apply');
    setError(null);
    try {
      const out = await api.post(`/processes/${key}/versions/${from}/migrations`, {
        to_version: Number(to), apply: true, task_mapping: mapping, instance_ids: ids,
      });
      const titles = Object.fromEntries((report?.cases || []).map((c) => [c.instance_id, c.title]));
      setApplied((prev) => [...out.cases.map((c) => ({ ...c, title: c.title || titles[c.instance_id], from: out.from_version, to: out.to_version })), ...prev]);
      setReport((r) => r && ({
        ...r,
        cases: r.cases.map((c) => {
          const done = out.cases.find((x) => x.instance_id === c.instance_id);
          return done ? { ...c, migrated: done.migrated, migration_id: done.migration_id, applyReasons: done.reasons } : c;
        }),
      }));
      setChosen({});
      versions.reload();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(null);
    }
  };

  const revert = async (row) => {
    setBusy(`revert${row.migration_id}`);
    setError(null);
    try {
      const out = await api.post(`/migrations/${row.migration_id}/revert`, {});
      setApplied((prev) => prev.map((r) => (r.migration_id === row.migration_id ? { ...r, reverted: out.reverted, revertedTo: out.version } : r)));
      if (out.reverted) {
        setReport((r) => r && ({
          ...r,
          cases: r.cases.map((c) => (c.instance_id === row.instance_id ? { ...c, migrated: false, migration_id: null, reverted: true } : c)),
        }));
      }
      versions.reload();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(null);
    }
  };

  const chosenCount = Object.values(chosen).filter(Boolean).length;
  const option = (v) => <option key={v.version} value={v.version}>第 {v.version} 版（{v.status_label}，在办 {v.cases_running ?? 0} 件）</option>;
  return (
    <div>
      <p><Link to={`/catalog/${key}`}>← {processKey}</Link></p>
      <h1>案件迁移 <span className="muted">{processKey}</span></h1>
      {versions.loading && <Loading />}
      <ProblemBox error={versions.error} />
      <div className="card">
        <p className="muted">把在办案件从旧版本移到新版本：先试运行，逐案列出能否迁移及原因；再对选定的案件执行迁移（每案一个事务，迁移后尚未办理的可撤销）。</p>
        <div className="toolbar">
          <label className="inline">从 <select value={from} onChange={(e) => { setFrom(e.target.value); setReport(null); }} aria-label="原版本">{vs.map(option)}</select></label>
          <label className="inline">迁移到 <select value={to} onChange={(e) => { setTo(e.target.value); setReport(null); }} aria-label="目标版本">{vs.map(option)}</select></label>
          {from && to && from !== to && <Link to={`/diff/${key}/${from}/${to}`}>查看两版差异</Link>}
        </div>
        <label className="field">
          <span>任务对应（可空）：旧版本任务 id = 新版本任务 id，每行一条；用于新版本中改了 id 的在办任务</span>
          <textarea rows={3} className="pre" value={mappingText} onChange={(e) => setMappingText(e.target.value)} placeholder="initial_review=initial_review_v2" aria-label="任务对应" />
        </label>
        {bad.length > 0 && <p className="sev-error">无法识别：{bad.join('；')}（格式为 旧id=新id）</p>}
        <div className="toolbar">
          <button type="button" onClick={dryRun} disabled={!from || !to || from === to || bad.length > 0 || busy !== null}>{busy === 'dry' ? '正在试运行…' : '试运行'}</button>
          {from === to && from && <span className="muted">请选择两个不同的版本</span>}
        </div>
      </div>
      <ProblemBox error={error} testid="migration-error" />
      {report && (
        <div className="card" data-testid="migration-dry-run">
          <h2>试运行结果：第 {report.from_version} 版 → 第 {report.to_version} 版</h2>
          <p>在办案件 {report.cases.length} 件，可迁移 <strong>{report.movable}</strong> 件。</p>
          {report.cases.length === 0 ? <p className="muted">第 {report.from_version} 版没有在办案件。</p> : (
            <table className="compact">
              <thead><tr><th /><th>案件</th><th>当前任务</th><th>能否迁移</th><th>原因 / 说明</th><th>对案件的影响</th></tr></thead>
              <tbody>
                {report.cases.map((c) => (
                  <tr key={c.instance_id} data-testid="migration-case" className={c.can_migrate ? '' : 'missing'}>
                    <td><input type="checkbox" disabled={!c.can_migrate || c.migrated} checked={Boolean(chosen[c.instance_id])} aria-label={`选择案件 ${c.instance_id}`}
                      onChange={(e) => setChosen({ ...chosen, [c.instance_id]: e.target.checked })} /></td>
                    <td><Link to={`/cases/${c.instance_id}`}>#{c.instance_id}</Link> {c.title}</td>
                    <td className="pre">{(c.open_tasks || []).join('\n') || '—'}</td>
                    <td>
                      {c.reverted && !c.migrated && <span className="badge">已撤销迁移</span>}{' '}
                      {c.migrated ? <span className="badge green">已迁移</span>
                        : c.can_migrate ? <span className="badge green">可以迁移</span> : <span className="badge red">不能迁移</span>}
                    </td>
                    <td>
                      {(c.applyReasons?.length ? c.applyReasons : c.reasons || []).map((r, i) => <div key={`r${i}`} className="sev-error">{r}</div>)}
                      {(c.notes || []).map((n, i) => <div key={`n${i}`} className="muted">{n}</div>)}
                      {c.error && <div className="muted">{c.error}</div>}
                    </td>
                    <td><ChangesCell changes={c.changes} /></td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <div className="toolbar" style={{ marginTop: 10 }}>
            <button type="button" className="danger" onClick={apply} disabled={!chosenCount || busy !== null}>{busy === 'apply' ? '正在迁移…' : '执行迁移'}</button>
            <span className="muted">已选 {chosenCount} 件</span>
          </div>
        </div>
      )}
      {applied.length > 0 && (
        <div className="card" data-testid="migration-applied">
          <h2>本次迁移记录</h2>
          <table className="compact">
            <thead><tr><th>案件</th><th>版本</th><th>结果</th><th>原因 / 说明</th><th /></tr></thead>
            <tbody>
              {applied.map((r, i) => (
                <tr key={`${r.instance_id}/${r.migration_id ?? i}`}>
                  <td><Link to={`/cases/${r.instance_id}`}>#{r.instance_id}</Link> {r.title}</td>
                  <td>第 {r.from} 版 → 第 {r.to} 版</td>
                  <td>{r.reverted ? <span className="badge">已撤销（回到第 {r.revertedTo} 版）</span>
                    : r.migrated ? <span className="badge green">已迁移（迁移记录 {r.migration_id}）</span> : <span className="badge red">未迁移</span>}</td>
                  <td>
                    {(r.reasons || []).map((x, j) => <div key={j} className="sev-error">{x}</div>)}
                    {(r.notes || []).map((x, j) => <div key={`n${j}`} className="muted">{x}</div>)}
                  </td>
                  <td>{r.migrated && !r.reverted && (
                    <button type="button" className="secondary" onClick={() => revert(r)} disabled={busy !== null}>撤销迁移</button>
                  )}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
