// The only way the browser app talks to the service: the public /api/v1 (no private back door).
// Errors come back as RFC 9457 problems (application/problem+json) with a Chinese `title`,
// a `detail`, and for form errors `errors: [{field, message}]`.

const BASE = '/api/v1';
const TOKEN_KEY = 'govit.token';

export function getToken() {
  return window.sessionStorage.getItem(TOKEN_KEY);
}

export function setToken(token) {
  if (token) window.sessionStorage.setItem(TOKEN_KEY, token);
  else window.sessionStorage.removeItem(TOKEN_KEY);
}

export class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.detail || problem?.title || `请求失败（HTTP ${status}）`);
    this.status = status;
    this.problem = problem || {};
    this.title = this.problem.title || '请求失败';
    this.errors = this.problem.errors || [];
  }
}

let onUnauthorized = () => {};
export function setUnauthorizedHandler(fn) {
  onUnauthorized = fn;
}

async function parse(response) {
  const type = response.headers.get('Content-Type') || '';
  if (response.status === 204) return null;
  if (type.includes('json')) return response.json();
  if (type.startsWith('text/') || type.includes('xml')) return response.text();
  return response.blob();
}

// request('GET', '/tasks', {query: {limit: 20}}) · request('POST', '/x', {json: {...}}) ·
// request('POST', '/attachments', {form: formData}) · {raw: true} returns the Response itself.
export async function request(method, path, { query, json, form, body, headers, raw } = {}) {
  const url = new URL(BASE + path, window.location.origin);
  for (const [k, v] of Object.entries(query || {})) {
    if (v !== undefined && v !== null && v !== '') url.searchParams.set(k, v);
  }
  const h = { ...(headers || {}) };
  const token = getToken();
  if (token) h.Authorization = `Bearer ${token}`;
  let payload = body;
  if (json !== undefined) {
    h['Content-Type'] = 'application/json';
    payload = JSON.stringify(json);
  } else if (form !== undefined) {
    payload = form;
  }
  let response;
  try {
    response = await fetch(url, { method, headers: h, body: payload });
  } catch (e) {
    throw new ApiError(0, { title: '无法连接服务', detail: '网络错误，请检查服务是否运行后重试' });
  }
  if (!response.ok) {
    let problem = null;
    try {
      problem = await response.json();
    } catch (e) {
      problem = { title: `请求失败（HTTP ${response.status}）` };
    }
    if (response.status === 401 && path !== '/auth/token') onUnauthorized();
    throw new ApiError(response.status, problem);
  }
  return raw ? response : parse(response);
}

export const api = {
  get: (path, query) => request('GET', path, { query }),
  post: (path, json, query) => request('POST', path, { json: json ?? {}, query }),
  put: (path, json) => request('PUT', path, { json }),
  patch: (path, json) => request('PATCH', path, { json }),
  del: (path) => request('DELETE', path),
};
