// The catalogue (GET /jurisdictions) loaded once per session: names of jurisdictions and
// processes for filters and tables, and which processes the user may start.
import { api } from '../api.js';

let cached = null;

export function loadCatalog() {
  if (!cached) {
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
