// What a person calls each file of a bundle and each element it declares. The modeler shows
// these names, never a file name or an element id (which stay in data-* attributes for tests).
import { fileTitle } from './bpmnInfo.js';

const FIXED = { 'manifest.json': '流程包设置', 'regulation.txt': '法规全文', '.bpmnlintrc': '规范检查设置' };
const SCHEMA = '.schema.json';
const UI_SCHEMA = '.uischema.json';

export const isForm = (path) => path.startsWith('forms/') && path.endsWith(SCHEMA);
export const isFormUi = (path) => path.startsWith('forms/') && path.endsWith(UI_SCHEMA);
// forms/x.schema.json ↔ forms/x.uischema.json: one form, edited together.
export const uiOf = (schemaPath) => `${schemaPath.slice(0, -SCHEMA.length)}${UI_SCHEMA}`;
export const schemaOf = (uiPath) => `${uiPath.slice(0, -UI_SCHEMA.length)}${SCHEMA}`;

export function formTitle(text) {
  try {
    const title = JSON.parse(text || '').title;
    return typeof title === 'string' && title.trim() ? title.trim() : null;
  } catch (e) {
    return null; // unreadable JSON: the caller says 未命名表单
  }
}

// The Chinese name of one file of the bundle (`texts`: path → text).
export function fileName(path, texts) {
  if (FIXED[path]) return FIXED[path];
  if (path.endsWith('.bpmn') || path.endsWith('.dmn')) return fileTitle(path, texts[path]);
  if (isForm(path)) return `表单：${formTitle(texts[path]) || '未命名表单'}`;
  if (isFormUi(path)) return `表单：${formTitle(texts[schemaOf(path)]) || '未命名表单'}（界面布局）`;
  return '附加文件';
}

// path → Chinese name for every file, with the forms also under the name a diagram uses for
// them (without forms/), so that a message quoting either reads in words.
export function fileNames(texts) {
  const out = {};
  for (const path of Object.keys(texts)) {
    out[path] = fileName(path, texts);
    if (path.startsWith('forms/')) out[path.slice('forms/'.length)] = out[path];
  }
  return out;
}

const ENTITIES = { '&quot;': '"', '&apos;': "'", '&lt;': '<', '&gt;': '>', '&amp;': '&' };
const unescape = (s) => s.replace(/&(?:quot|apos|lt|gt|amp);/g, (m) => ENTITIES[m]);

// id → name of every named element of the diagrams and decision tables.
export function elementNames(texts) {
  const out = {};
  for (const [path, text] of Object.entries(texts)) {
    if (!path.endsWith('.bpmn') && !path.endsWith('.dmn')) continue;
    for (const [tag] of (text || '').matchAll(/<[\w:]+\s[^>]*>/g)) {
      const id = /\sid="([^"]+)"/.exec(tag)?.[1];
      const name = /\sname="([^"]+)"/.exec(tag)?.[1];
      if (id && name && !(id in out)) out[id] = unescape(name).replace(/\s+/g, ' ').trim();
    }
  }
  return out;
}

// A server message in words: the file names and element ids it quotes replaced by their names.
export function inWords(message, files, names) {
  if (!message) return message;
  let text = message;
  for (const path of Object.keys(files).sort((a, b) => b.length - a.length)) {
    if (text.includes(path)) text = text.split(path).join(`「${files[path]}」`);
  }
  text = text.replace(/[A-Za-z_][\w-]*/g, (token) => (names[token] && token.length > 2 ? `「${names[token]}」` : token));
  // a quoted list of what was replaced (["「甲」", "「乙」"]) reads as 「甲」、「乙」
  return text.replace(/\[((?:\s*"「[^」"]*」"\s*,?)+)\]/g, (all, inner) => inner.match(/「[^」"]*」/g).join('、'));
}

// 2027-01-01 → 2027年1月1日
export function chineseDate(iso) {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(iso || '');
  return m ? `${m[1]}年${Number(m[2])}月${Number(m[3])}日` : iso || '';
}
