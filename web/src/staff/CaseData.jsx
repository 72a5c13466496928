// A case's data, read-only: labelled with the start form's titles (and option titles) where
// it has them, else the key; attachment ids become download links.
import React, { useEffect, useMemo, useState } from 'react';
import { api } from '../api.js';
import { AttachmentCard } from '../components/AttachmentWidget.jsx';
import { rememberAttachment } from '../components/attachments.js';
import { ProblemBox } from '../components/ui.jsx';
import { formatDateTime } from '../format.js';

const SYSTEM_LABELS = {
  case_id: '案件编号', applicant_unit: '申报单位', started_by: '发起人', started_at: '发起时间',
};

function optionTitles(prop) {
  const out = new Map();
  for (const o of prop?.oneOf || prop?.anyOf || []) if (o && 'const' in o) out.set(JSON.stringify(o.const), o.title);
  if (Array.isArray(prop?.enum)) {
    const names = prop.enumNames || [];
    prop.enum.forEach((v, i) => { if (names[i]) out.set(JSON.stringify(v), names[i]); });
  }
  return out;
}

function Value({ value, prop, attachments }) {
  if (value === null || value === undefined || value === '') return <span className="muted">—</span>;
  if (typeof value === 'string' && attachments[value]) return <AttachmentCard id={value} meta={attachments[value]} />;
  if (Array.isArray(value)) {
    if (value.length === 0) return <span className="muted">（空）</span>;
    if (value.every((v) => typeof v === 'string' && attachments[v])) {
      return <div className="attachment-widget">{value.map((v, i) => <AttachmentCard key={`${v}-${i}`} id={v} meta={attachments[v]} />)}</div>;
    }
    if (value.every((v) => typeof v !== 'object' || v === null)) {
      return <>{value.map((v, i) => <span key={i} className="badge">{labelOf(v, prop?.items)}</span>)}</>;
    }
    return (
      <ol className="nested-list">
        {value.map((v, i) => <li key={i}><Value value={v} prop={prop?.items} attachments={attachments} /></li>)}
      </ol>
    );
  }
  if (typeof value === 'object') {
    const props = prop?.properties || {};
    return (
      <table className="nested-kv">
        <tbody>
          {Object.entries(value).map(([k, v]) => (
            <tr key={k}>
              <th title={k}>{props[k]?.title || k}</th>
              <td><Value value={v} prop={props[k]} attachments={attachments} /></td>
            </tr>
          ))}
        </tbody>
      </table>
    );
  }
  return <>{labelOf(value, prop)}</>;
}

function labelOf(value, prop) {
  const t = optionTitles(prop).get(JSON.stringify(value));
  if (t) return t;
  if (typeof value === 'boolean') return value ? '是' : '否';
  if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(value)) return formatDateTime(value);
  return String(value);
}

export default function CaseData({ item }) {
  const [form, setForm] = useState(null);
  const [attachments, setAttachments] = useState({});
  const [error, setError] = useState(null);
  useEffect(() => {
    let live = true;
    api.get(`/processes/${encodeURIComponent(item.process_key)}/start-form`, { version: item.version })
      .then((f) => live && setForm(f)).catch(() => {});
    api.get(`/instances/${item.id}/attachments`)
      .then((list) => {
        if (!live) return;
        const map = {};
        for (const a of list || []) { map[a.id] = a; rememberAttachment(a); }
        setAttachments(map);
      })
      .catch((e) => { if (live && e.status !== 404 && e.status !== 405) setError(e); });
    return () => { live = false; };
  }, [item.id, item.process_key, item.version]);

  const props = form?.schema?.properties || {};
  const rows = useMemo(() => {
    const data = item.data || {};
    const order = [...Object.keys(props).filter((k) => k in data),
      ...Object.keys(data).filter((k) => !(k in props))];
    return order.map((k) => ({ key: k, label: props[k]?.title || SYSTEM_LABELS[k] || k, prop: props[k], value: data[k] }));
  }, [item.data, props]);

  return (
    <section className="card" data-testid="case-data" aria-label="案件数据">
      <h2>案件数据</h2>
      <ProblemBox error={error} />
      {rows.length === 0 ? <p className="muted">暂无数据</p> : (
        <table className="case-kv">
          <tbody>
            {rows.map((r, i) => (
              <React.Fragment key={r.key}>
              {form && i > 0 && !r.prop && rows[i - 1].prop && (
                <tr className="group"><th colSpan={2}>办理过程中形成的数据</th></tr>
              )}
              <tr>
                <th title={r.key}>{r.label}</th>
                <td><Value value={r.value} prop={r.prop} attachments={attachments} /></td>
              </tr>
              </React.Fragment>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
