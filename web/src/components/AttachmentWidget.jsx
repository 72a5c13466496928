// rjsf widget for `{"type": "string", "format": "attachment", "x-attachment": {accept, maxBytes}}`
// and field for arrays of them. The value is the attachment id returned by POST /attachments.
import React, { useEffect, useRef, useState } from 'react';
import { formatBytes, formatDateTime } from '../format.js';
import { attachmentMeta, describeRules, downloadAttachment, uploadAttachment } from './attachments.js';

function uploadTarget(registry, options) {
  const ctx = registry?.formContext || {};
  return { field: options?.attachmentField, taskId: ctx.taskId, processKey: ctx.processKey };
}

function messageOf(error, field) {
  const own = (error.errors || []).filter((e) => !e.field || e.field === field || e.field === 'file');
  const msgs = (own.length ? own : error.errors || []).map((e) => e.message).filter(Boolean);
  if (msgs.length) return msgs.join('；');
  return error.problem?.detail || error.title || '上传失败';
}

function extOf(name) {
  const m = /\.([a-z0-9]{1,5})$/i.exec(name || '');
  return m ? m[1].toUpperCase() : '文件';
}

// One uploaded document: name, size, short SHA-256, download, and optionally replace/remove.
// A file picker in Chinese: the native <input type=file> stays (hidden, for labels and tests)
// but its button and "no file" text are the browser's language, so ours are shown instead.
export function FilePicker({ id, accept, multiple, disabled, onFiles, label = '选择文件', hint = '未选择文件' }) {
  const input = useRef(null);
  return (
    <span className="file-pick">
      <button type="button" className="secondary small" disabled={disabled} onClick={() => input.current?.click()}>{label}</button>
      <span className="muted small">{hint}</span>
      <input ref={input} id={id} type="file" className="visually-hidden" accept={accept || undefined} multiple={multiple}
        disabled={disabled} data-testid="file-input"
        onChange={(e) => { const fs = Array.from(e.target.files || []); e.target.value = ''; if (fs.length) onFiles(fs); }} />
    </span>
  );
}

export function AttachmentCard({ id, meta: given, onRemove, onReplace, accept, disabled }) {
  const [meta, setMeta] = useState(given || null);
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const replaceInput = useRef(null);
  useEffect(() => {
    if (given) { setMeta(given); return; }
    let live = true;
    setError(null);
    attachmentMeta(id).then((m) => live && setMeta(m)).catch((e) => live && setError(e));
    return () => { live = false; };
  }, [id, given]);
  const download = async () => {
    setBusy(true);
    setError(null);
    try { await downloadAttachment(id, meta?.filename); } catch (e) { setError(e); } finally { setBusy(false); }
  };
  return (
    <div className="attachment-card" data-testid="attachment">
      <span className="file-icon" aria-hidden="true">{extOf(meta?.filename)}</span>
      <div className="grow">
        <div className="filename" data-testid="attachment-name">{meta ? meta.filename : (error ? '（无法读取附件信息）' : '正在读取…')}</div>
        {meta && (
          <div className="muted small">
            {formatBytes(meta.size)} · SHA-256 <code title={meta.sha256}>{meta.sha256?.slice(0, 12)}…</code>
            {meta.uploaded_by && <> · {meta.uploaded_by_name} 上传于 {formatDateTime(meta.uploaded_at)}</>}
          </div>
        )}
        {error && <div className="field-error" data-testid="field-error">{error.title}{error.problem?.detail ? `：${error.problem.detail}` : ''}</div>}
      </div>
      <button type="button" className="secondary small" onClick={download} disabled={busy}>下载</button>
      {onReplace && !disabled && (
        <>
          <button type="button" className="secondary small" onClick={() => replaceInput.current?.click()}>更换</button>
          <input ref={replaceInput} type="file" hidden accept={accept || undefined}
            onChange={(e) => { const f = e.target.files?.[0]; e.target.value = ''; if (f) onReplace(f); }} />
        </>
      )}
      {onRemove && !disabled && <button type="button" className="secondary small danger-text" onClick={onRemove}>删除</button>}
    </div>
  );
}

function useUploader(registry, options) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const target = uploadTarget(registry, options);
  const upload = async (file) => {
    setBusy(true);
    setError(null);
    try {
      return await uploadAttachment(file, target);
    } catch (e) {
      setError(messageOf(e, target.field));
      return null;
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, upload, setError };
}

export function AttachmentWidget({ id, value, onChange, schema, options, registry, disabled, readonly }) {
  const rules = schema['x-attachment'] || {};
  const accept = (rules.accept || []).join(',');
  const { busy, error, upload } = useUploader(registry, options);
  const locked = disabled || readonly;
  const take = async (file) => {
    const meta = await upload(file);
    if (meta) onChange(meta.id);
  };
  return (
    <div className="attachment-widget" data-testid="attachment-widget">
      {value ? (
        <AttachmentCard id={value} accept={accept} disabled={locked} onReplace={take}
          onRemove={() => onChange(undefined)} />
      ) : locked ? (
        <span className="muted">未上传</span>
      ) : (
        <FilePicker id={id} accept={accept} disabled={busy} onFiles={(fs) => take(fs[0])} />
      )}
      {busy && <span className="muted small">正在上传…</span>}
      {!locked && describeRules(rules) && <div className="muted small rules">{describeRules(rules)}</div>}
      {error && <div className="field-error" role="alert" data-testid="field-error">{error}</div>}
    </div>
  );
}

// Field for `{"type": "array", "items": {"type": "string", "format": "attachment", …}}`.
export function AttachmentListField({ schema, uiSchema, formData, onChange, fieldPathId, registry, disabled, readonly, idSchema, required, name }) {
  const rules = schema.items?.['x-attachment'] || schema['x-attachment'] || {};
  const accept = (rules.accept || []).join(',');
  const options = { attachmentField: uiSchema?.['ui:options']?.attachmentField };
  const { busy, error, upload } = useUploader(registry, options);
  const ids = Array.isArray(formData) ? formData.filter((x) => typeof x === 'string' && x) : [];
  const path = fieldPathId?.path;
  const locked = disabled || readonly;
  const set = (next) => onChange(next.length ? next : undefined, path);
  const add = async (files) => {
    let next = [...ids];
    for (const f of files) {
      const meta = await upload(f);
      if (!meta) break;
      next = [...next, meta.id];
      set(next);
    }
  };
  const inputId = fieldPathId?.$id || idSchema?.$id;
  return (
    <div className="attachment-widget" data-testid="attachment-widget">
      <label className="control-label" htmlFor={inputId}>{uiSchema?.['ui:title'] || schema.title || name}{required && <span className="required" aria-hidden="true">*</span>}</label>
      {schema.description && <p className="field-description">{schema.description}</p>}
      {ids.length === 0 && locked && <span className="muted">未上传</span>}
      {ids.map((aid, i) => (
        <AttachmentCard key={`${aid}-${i}`} id={aid} accept={accept} disabled={locked}
          onRemove={() => set(ids.filter((_, j) => j !== i))}
          onReplace={async (f) => { const meta = await upload(f); if (meta) set(ids.map((x, j) => (j === i ? meta.id : x))); }} />
      ))}
      {!locked && (
        <FilePicker id={inputId} accept={accept} multiple disabled={busy} onFiles={add}
          label={ids.length ? '继续添加' : '选择文件'} hint={ids.length ? `已上传 ${ids.length} 个文件` : '未选择文件（可多选）'} />
      )}
      {busy && <span className="muted small">正在上传…</span>}
      {!locked && describeRules(rules) && <div className="muted small rules">{describeRules(rules)}</div>}
      {error && <div className="field-error" role="alert" data-testid="field-error">{error}</div>}
    </div>
  );
}
