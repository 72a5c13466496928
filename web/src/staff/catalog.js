// The catalogue (GET /jurisdictions) loaded once per session: names of jurisdictions and
// processes for filters and tables, and which processes the user may start.
import { api, getToken } from '../api.js';

// Per login: `can_start` depends on who asks.
let cached = null;
let cachedFor = null;

export function loadCatalog() {
  const token = getToken();
  if (!cached || cachedFor !== token) {
    cachedFor = token;
    cached = api.get('/jurisdictions');
    cached.catch(() => { cached = null; });
  }
  return cached;
}

export function processNames(jurisdictions) {
  const out = {};
  for (const j of jurisdictions || []) for (const p of j.processes || []) out[p.key] = p.name;
  return out;
}

export function jurisdictionNames(jurisdictions) {
  return Object.fromEntries((jurisdictions || []).map((j) => [j.id, j.name]));
}
