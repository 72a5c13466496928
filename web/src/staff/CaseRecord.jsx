// The 审批单: what a case holds, as the offices read it — every form submitted, in order, each
// field labelled by its form; then the 流转记录 (who, which office, when, decision, opinion).
// Everything shown comes labelled from GET /instances/{id}/record; nothing raw is shown here.
import React, { Suspense, lazy, useState } from 'react';
import { downloadAttachment } from '../components/attachments.js';
import { ProblemBox } from '../components/ui.jsx';
import { formatDateTime } from '../format.js';

const PdfPreview = lazy(() => import('../components/PdfPreview.jsx'));

function DocumentLink({ doc }) {
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const [previewing, setPreviewing] = useState(false);
  const download = async () => {
    setBusy(true);
    setError(null);
    try { await downloadAttachment(doc.id, doc.name); } catch (e) { setError(e); } finally { setBusy(false); }
  };
  return (
    <span className="record-doc" data-testid="record-document">
      <span className="badge">{doc.kind}</span> 《{doc.name}》<span className="muted small">{doc.size}</span>
      {doc.preview && (
        <button type="button" className="secondary small" onClick={() => setPreviewing((v) => !v)}>
          {previewing ? '收起预览' : '预览'}
        </button>
      )}
      <button type="button" className="secondary small" onClick={download} disabled={busy}>下载</button>
      <ProblemBox error={error} />
      {previewing && <Suspense fallback={<span className="muted small">正在打开…</span>}><PdfPreview id={doc.id} name={doc.name} /></Suspense>}
    </span>
  );
}

function Documents({ docs }) {
  if (!docs?.length) return null;
  return <div className="record-docs">{docs.map((d) => <DocumentLink key={d.id} doc={d} />)}</div>;
}

export function Submission({ item, open }) {
  return (
    <details className="record-submission" open={open} data-testid="record-submission">
      <summary>
        <strong>{item.step}</strong>{item.form_title && item.form_title !== item.step ? ` · ${item.form_title}` : ''}
        <span className="muted small"> {item.by.label}{item.office ? ` · ${item.office}` : ''} · {formatDateTime(item.at)}</span>
      </summary>
      <dl className="record-fields">
        {item.fields.map((f) => (
          <div key={f.label} className={f.long ? 'long' : ''}>
            <dt>{f.label}</dt>
            <dd>{f.documents?.length ? <Documents docs={f.documents} /> : f.value}</dd>
          </div>
        ))}
      </dl>
    </details>
  );
}

export function Submissions({ record }) {
  if (!record.submissions.length) return <p className="muted">暂无已提交的表单</p>;
  const last = record.submissions.length - 1;
  return record.submissions.map((s, i) => <Submission key={`${s.at}-${i}`} item={s} open={i === 0 || i === last} />);
}

// On a task page the latest entries come first to hand (the opinion box is below); the rest
// one click away. The case page shows them all.
const RECENT = 6;

export function Timeline({ record, compact = false }) {
  const [all, setAll] = useState(!compact);
  const hidden = all ? 0 : Math.max(record.timeline.length - RECENT, 0);
  return (
    <>
    {hidden > 0 && (
      <button type="button" className="secondary small" onClick={() => setAll(true)} data-testid="timeline-more">
        展开较早的 {hidden} 条记录
      </button>
    )}
    <ol className="timeline" data-testid="record-timeline" aria-label="流转记录">
      {record.timeline.slice(hidden).map((t, i) => (
        <li key={`${t.at}-${i}`} data-testid="timeline-item">
          <div className="timeline-head">
            <span className="timeline-time">{formatDateTime(t.at)}</span>
            <strong>{t.by.label}</strong>{t.office && <span className="muted">（{t.office}）</span>}
            <span> {t.text}</span>
          </div>
          {t.decision && <div className="timeline-decision">{t.decision}</div>}
          {t.opinion && <blockquote className="timeline-opinion">{t.opinion}</blockquote>}
          <Documents docs={t.documents} />
        </li>
      ))}
    </ol>
    </>
  );
}

// The last opinion given before this step: on a 补正 task, why it was sent back and by whom.
export function LatestOpinion({ record }) {
  const last = [...record.timeline].reverse().find((t) => t.opinion || t.decision);
  if (!last || last.action === 'start') return null;
  return (
    <div className="latest-opinion" data-testid="latest-opinion" role="note">
      <div className="muted small">上一环节意见 · {last.step} · {last.by.label}{last.office ? `（${last.office}）` : ''} · {formatDateTime(last.at)}</div>
      {last.decision && <div><strong>{last.decision}</strong></div>}
      {last.opinion && <blockquote>{last.opinion}</blockquote>}
    </div>
  );
}

export default function CaseRecord({ record, compact = false }) {
  return (
    <div className="case-record" data-testid="case-record">
      <section className="card" aria-label="申报材料">
        <h2>申报材料与各环节表单</h2>
        <p className="muted small">{record.process_name} · 申报单位 {record.applicant_unit || '—'} · 发起人 {record.started_by.label} · {formatDateTime(record.started_at)}</p>
        <Submissions record={record} />
        {record.derived?.length > 0 && (
          <div className="record-submission" data-testid="record-derived">
            <strong>系统判定</strong><span className="muted small"> 依据流程包中的决策表和规则自动得出</span>
            <dl className="record-fields">
              {record.derived.map((d) => <div key={d.label}><dt>{d.label}</dt><dd>{d.value}</dd></div>)}
            </dl>
          </div>
        )}
      </section>
      <section className="card" aria-label="流转记录">
        <h2>流转记录</h2>
        <Timeline record={record} compact={compact} />
      </section>
      {record.documents.length > 0 && (
        <section className="card" aria-label="案件文件" data-testid="record-documents">
          <h2>案件文件（{record.documents.length}）</h2>
          <Documents docs={record.documents} />
        </section>
      )}
    </div>
  );
}
