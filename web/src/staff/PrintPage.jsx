// 打印审批单: one A4 document for the archive room — the case summary, every step (office,
// person, time, decision, opinion) and the documents with their SHA-256 checksums.
import React from 'react';
import { Link, useParams } from 'react-router-dom';
import { api } from '../api.js';
import { Loading, ProblemBox, useResource } from '../components/ui.jsx';
import { STATUS_LABELS, formatDateTime } from '../format.js';

export default function PrintPage() {
  const { caseId } = useParams();
  const { data: item, error } = useResource(() => api.get(`/instances/${caseId}`), [caseId]);
  const { data: record, error: recordError } = useResource(() => api.get(`/instances/${caseId}/record`), [caseId]);
  if (error || recordError) return <ProblemBox error={error || recordError} />;
  if (!item || !record) return <Loading />;
  return (
    <article className="print-sheet" data-testid="print-sheet">
      <div className="no-print action-bar">
        <button type="button" onClick={() => window.print()}>打印</button>
        <Link className="button secondary-link" to={`/cases/${caseId}`}>返回案件</Link>
      </div>
      <h1>{record.process_name}审批单</h1>
      <table className="print-table">
        <tbody>
          <tr><th>项目名称</th><td colSpan={3}>{record.title || `案件 #${record.instance_id}`}</td></tr>
          <tr><th>申报单位</th><td>{record.applicant_unit || '—'}</td><th>发起人</th><td>{record.started_by.label}</td></tr>
          <tr><th>发起时间</th><td>{formatDateTime(record.started_at)}</td><th>状态</th>
            <td>{STATUS_LABELS[item.status] || '—'}{item.outcome ? `（${item.outcome}）` : ''}</td></tr>
        </tbody>
      </table>
      <h2>办理过程</h2>
      <table className="print-table" data-testid="print-steps">
        <thead><tr><th>环节</th><th>办理部门</th><th>办理人</th><th>时间</th><th>结论与意见</th></tr></thead>
        <tbody>
          {record.timeline.filter((t) => t.action === 'start' || t.action === 'complete' || t.action === 'withdraw'
            || t.action === 'terminate' || t.action === 'suspend' || t.action === 'resume').map((t, i) => (
            <tr key={`${t.at}-${i}`}>
              <td>{t.step || t.text}</td>
              <td>{t.office || '—'}</td>
              <td>{t.by.label}</td>
              <td style={{ whiteSpace: 'nowrap' }}>{formatDateTime(t.at)}</td>
              <td>{t.decision && <div><strong>{t.decision}</strong></div>}{t.opinion && <div className="pre">{t.opinion}</div>}
                {!t.decision && !t.opinion && t.text}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h2>文件清单</h2>
      {record.documents.length === 0 ? <p>无</p> : (
        <table className="print-table" data-testid="print-documents">
          <thead><tr><th>文件</th><th>类型</th><th>大小</th><th>SHA-256 校验值</th></tr></thead>
          <tbody>
            {record.documents.map((d) => (
              <tr key={d.id}><td>《{d.name}》</td><td>{d.kind}</td><td>{d.size}</td><td className="mono small">{d.sha256}</td></tr>
            ))}
          </tbody>
        </table>
      )}
      <p className="muted small">打印时间：{formatDateTime(new Date().toISOString())}</p>
    </article>
  );
}
