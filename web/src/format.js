// Times come from the API in Asia/Shanghai with an explicit offset; show them there too,
// whatever the browser's own zone is.
const ZONE = 'Asia/Shanghai';

export function formatDateTime(value) {
  if (!value) return '—';
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) return String(value);
  return d.toLocaleString('zh-CN', { timeZone: ZONE, hour12: false, year: 'numeric', month: '2-digit',
    day: '2-digit', hour: '2-digit', minute: '2-digit' });
}

export function formatDate(value) {
  if (!value) return '—';
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) return String(value);
  return d.toLocaleDateString('zh-CN', { timeZone: ZONE, year: 'numeric', month: '2-digit', day: '2-digit' });
}

export function formatBytes(n) {
  if (n == null) return '—';
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

export const STATUS_LABELS = {
  running: '办理中', completed: '已办结', error: '出错', suspended: '已暂停', terminated: '已终止',
};
