// Attachments: upload (multipart), metadata (cached per id) and download through the bearer
// token (a plain <a href> cannot send it, so the bytes are fetched and saved as a blob).
import { api, getToken, request } from '../api.js';

// Keyed by login as well: metadata one user may see is not shown to the next from the cache.
const metaCache = new Map();
const key = (id) => `${getToken() || ''}:${id}`;

export function uploadAttachment(file, { field, taskId, processKey }) {
  const form = new FormData();
  form.append('file', file);
  form.append('field', field);
  if (taskId) form.append('task_id', taskId);
  else if (processKey) form.append('process_key', processKey);
  return request('POST', '/attachments', { form }).then((meta) => {
    metaCache.set(key(meta.id), Promise.resolve(meta));
    return meta;
  });
}

export function attachmentMeta(id) {
  const k = key(id);
  if (!metaCache.has(k)) {
    const p = api.get(`/attachments/${encodeURIComponent(id)}`);
    p.catch(() => metaCache.delete(k));
    metaCache.set(k, p);
  }
  return metaCache.get(k);
}

export function rememberAttachment(meta) {
  if (meta?.id) metaCache.set(key(meta.id), Promise.resolve(meta));
}

function filenameFrom(response, fallback) {
  const cd = response.headers.get('Content-Disposition') || '';
  const star = /filename\*=UTF-8''([^;]+)/i.exec(cd);
  if (star) {
    try { return decodeURIComponent(star[1]); } catch (e) { /* fall through */ }
  }
  const plain = /filename="?([^";]+)"?/i.exec(cd);
  return plain ? plain[1] : fallback;
}

export async function downloadAttachment(id, filename) {
  const response = await request('GET', `/attachments/${encodeURIComponent(id)}/content`, { raw: true });
  const blob = await response.blob();
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filenameFrom(response, filename || id);
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

export const ATTACHMENT_ID = /^[0-9a-f]{32}$/;

export function isAttachmentSchema(schema) {
  return Boolean(schema && schema.type === 'string' && (schema.format === 'attachment' || schema['x-attachment']));
}

export function isAttachmentArraySchema(schema) {
  return Boolean(schema && schema.type === 'array' && isAttachmentSchema(schema.items));
}

export function describeRules(rules) {
  const parts = [];
  if (rules?.accept?.length) parts.push(`允许类型：${rules.accept.join('、')}`);
  if (rules?.maxBytes) parts.push(`单个文件不超过 ${formatMax(rules.maxBytes)}`);
  return parts.join('；');
}

function formatMax(n) {
  if (n >= 1024 * 1024) return `${+(n / 1024 / 1024).toFixed(1)} MB`;
  if (n >= 1024) return `${+(n / 1024).toFixed(1)} KB`;
  return `${n} 字节`;
}
