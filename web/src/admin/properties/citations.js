// The article citation at the head of an element's documentation, as the bundles write it and
// the coverage check (engine/regulations/coverage.py) reads it: the cited articles joined by 、
// (or ；), then a full-width colon, then the description —
//   「第九条、第十五条：区分涉及全省的重大项目……」 · 「五（一）、五（二）：单个项目……」 ·
//   「第二章「政务信息系统项目建设实行前置审查制度」：……」 · 「第十二条至第十八条：……」.

const N = '[零〇一二两三四五六七八九十百]+';
const ARTICLE = `第${N}(?:条(?:[至到]第?${N}条)?|[至到]第?${N}条)`;
const OUTLINE = '[一二三四五六七八九十]+（[一二三四五六七八九十]+）';
const CHAPTER = `第${N}章(?:「[^」：]+」)?`;
const TOKEN = new RegExp(`^(?:${ARTICLE}|${OUTLINE}|${CHAPTER}|[一二三四五六七八九十]+)$`);
const SEPARATOR = /[、；]/;

function isToken(text, known) {
  return TOKEN.test(text) || known.has(text);
}

/** {articles, text}: the cited article labels in order and the description after the colon;
 * no citation head gives `articles: []` and the whole documentation as the text. */
export function splitCitation(documentation, knownIds = []) {
  const doc = documentation || '';
  const colon = doc.indexOf('：');
  if (colon <= 0) return { articles: [], text: doc };
  const head = doc.slice(0, colon);
  const parts = head.split(SEPARATOR).map((p) => p.trim());
  const known = new Set(knownIds);
  if (!parts.every((p) => p && isToken(p, known))) return { articles: [], text: doc };
  return { articles: parts, text: doc.slice(colon + 1) };
}

/** The documentation for these articles and description (the bundles' form). */
export function joinCitation(articles, text) {
  const picked = (articles || []).filter(Boolean);
  return picked.length ? `${picked.join('、')}：${text || ''}` : (text || '');
}
