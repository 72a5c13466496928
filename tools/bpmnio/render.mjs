#!/usr/bin/env node
// Render BPMN files with bpmn-js (the library behind bpmn.io and Camunda Modeler) in headless
// Chromium, report what its importer says, and write one PNG per file.
//
//   npm ci                                   # once, in tools/bpmnio
//   node render.mjs [options] FILE.bpmn ...
//
// Options:
//   --out DIR        where the PNGs go (default: $TMPDIR/bpmnio-render); NAME.bpmn -> DIR/NAME.png
//   --width N        viewport width in CSS pixels (default 2400); the height follows the
//                    diagram's aspect ratio
//   --scale N        device pixel ratio of the screenshot (default 1)
//   --slice I/N      screenshot only the I-th of N vertical slices of the diagram (1-based), at
//                    N times the zoom; the PNG is NAME-I-of-N.png
//   --modeler        import with the Modeler instead of the NavigatedViewer
//   --strict         exit 1 when an import has warnings or the rendered labels collide
//   --json FILE      also write the findings as JSON
//
// Besides the importer's warnings, the script measures the text bpmn-js actually drew and
// reports labels that cover a node shape or another label ("layout findings").
//
// Files are served by a tiny HTTP server on 127.0.0.1 (ephemeral port) for the duration of
// the run; Chromium is /usr/bin/chromium (override with CHROMIUM=/path).

import { createServer } from 'node:http';
import { readFile, mkdir, writeFile } from 'node:fs/promises';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tmpdir } from 'node:os';
import puppeteer from 'puppeteer-core';

const HERE = dirname(fileURLToPath(import.meta.url));
const DIST = join(HERE, 'node_modules', 'bpmn-js', 'dist');

function parseArgs(argv) {
  const opts = { out: null, width: 2400, scale: 1, modeler: false, strict: false, json: null, slice: null, files: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--out') opts.out = argv[++i];
    else if (a === '--width') opts.width = Number(argv[++i]);
    else if (a === '--scale') opts.scale = Number(argv[++i]);
    else if (a === '--modeler') opts.modeler = true;
    else if (a === '--slice') {
      const [k, n] = String(argv[++i]).split('/').map(Number);
      if (!(n >= 1 && k >= 1 && k <= n)) { console.error('--slice wants I/N with 1 <= I <= N'); process.exit(2); }
      opts.slice = { i: k, n };
    }
    else if (a === '--strict') opts.strict = true;
    else if (a === '--json') opts.json = argv[++i];
    else if (a === '-h' || a === '--help') {
      console.log('usage: node render.mjs [--out DIR] [--width N] [--scale N] [--slice I/N] [--modeler] [--strict] [--json FILE] FILE.bpmn ...');
      process.exit(0);
    } else opts.files.push(a);
  }
  if (!opts.files.length) {
    console.error('no BPMN file given (see --help)');
    process.exit(2);
  }
  return opts;
}

const PAGE = (bundle, ctor) => `<!doctype html>
<html><head><meta charset="utf-8">
<link rel="stylesheet" href="/dist/assets/diagram-js.css">
<link rel="stylesheet" href="/dist/assets/bpmn-js.css">
<link rel="stylesheet" href="/dist/assets/bpmn-font/css/bpmn.css">
<style>
  html, body { margin: 0; padding: 0; background: #fff; }
  #canvas { position: absolute; inset: 0; }
  .djs-palette, .bjs-powered-by { display: none !important; }
</style>
<script src="/dist/${bundle}"></script>
</head><body><div id="canvas"></div>
<script>
  window.bpmnViewer = new BpmnJS({ container: '#canvas' });
  window.bpmnCtor = ${JSON.stringify(ctor)};
</script>
</body></html>`;

const TYPES = { '.js': 'text/javascript', '.css': 'text/css', '.html': 'text/html',
  '.woff': 'font/woff', '.woff2': 'font/woff2', '.ttf': 'font/ttf', '.eot': 'application/vnd.ms-fontobject',
  '.svg': 'image/svg+xml' };

function serve(html) {
  const server = createServer(async (req, res) => {
    const url = decodeURIComponent(new URL(req.url, 'http://127.0.0.1').pathname);
    try {
      if (url === '/' || url === '/index.html') {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        res.end(html);
        return;
      }
      if (url.startsWith('/dist/')) {
        const file = resolve(DIST, '.' + url.slice('/dist'.length));
        if (!file.startsWith(DIST)) throw new Error('outside dist');
        const body = await readFile(file);
        res.writeHead(200, { 'content-type': TYPES[extname(file)] || 'application/octet-stream' });
        res.end(body);
        return;
      }
      res.writeHead(url === '/favicon.ico' ? 204 : 404).end();
    } catch {
      res.writeHead(404).end();
    }
  });
  return new Promise((ok) => server.listen(0, '127.0.0.1', () => ok(server)));
}

// Runs inside the page: import, fit, and measure what was drawn.
async function importAndMeasure(xml) {
  const viewer = window.bpmnViewer;
  let warnings = [];
  let error = null;
  try {
    const result = await viewer.importXML(xml);
    warnings = (result.warnings || []).map((w) => String(w.message || w));
  } catch (err) {
    error = String(err.message || err);
    warnings = (err.warnings || []).map((w) => String(w.message || w));
    return { warnings, error, findings: [], inner: null };
  }
  const canvas = viewer.get('canvas');
  const registry = viewer.get('elementRegistry');
  const findings = [];
  const nodes = [];
  const labels = [];
  registry.forEach((el) => {
    const type = el.type || '';
    if (el.type === 'label') {
      const gfx = registry.getGraphics(el);
      const text = gfx && gfx.querySelector('text');
      if (!text || !el.businessObject.name) return;
      const bb = text.getBBox();
      // label gfx is translated to (el.x, el.y); text bbox is local to it
      // bpmn-js keeps a label's stored width and wraps the name in it: text that needs more
      // room than the stored bounds spills over whatever the layout put next to them
      const stored = el.di && el.di.label && el.di.label.bounds;
      if (stored) {
        const tx = el.x + bb.x, ty = el.y + bb.y;
        if (tx < stored.x - 3 || ty < stored.y - 3 || tx + bb.width > stored.x + stored.width + 3
            || ty + bb.height > stored.y + stored.height + 3) {
          findings.push(`label of ${el.businessObject.id} (${el.businessObject.name}) is drawn at ${Math.round(tx)},${Math.round(ty)} ${Math.round(bb.width)}x${Math.round(bb.height)}, outside its bounds ${stored.x},${stored.y} ${stored.width}x${stored.height}`);
        }
      }
      labels.push({ id: el.businessObject.id, name: el.businessObject.name,
        x: el.x + bb.x, y: el.y + bb.y, width: bb.width, height: bb.height,
        owner: el.labelTarget ? el.labelTarget.id : null });
      return;
    }
    if (el.waypoints || type === 'bpmn:Participant' || type === 'bpmn:Lane' || type === 'bpmn:Process'
        || type === 'bpmn:Collaboration' || !el.businessObject || el.id === '__implicitroot') return;
    if (!('x' in el)) return;
    nodes.push({ id: el.id, x: el.x, y: el.y, width: el.width, height: el.height });
  });
  const hit = (a, b, pad = 0) => a.x < b.x + b.width - pad && b.x < a.x + a.width - pad
    && a.y < b.y + b.height - pad && b.y < a.y + a.height - pad;
  for (const l of labels) {
    for (const n of nodes) {
      if (n.id === l.owner) continue;
      if (hit(l, n, 1)) findings.push(`label of ${l.id} (${l.name}) covers shape ${n.id}`);
    }
  }
  for (let i = 0; i < labels.length; i++) {
    for (let j = i + 1; j < labels.length; j++) {
      if (hit(labels[i], labels[j], 1)) findings.push(`labels of ${labels[i].id} and ${labels[j].id} overlap`);
    }
  }
  canvas.zoom('fit-viewport');
  const inner = canvas.viewbox().inner;
  return { warnings, error, findings, inner };
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const bundle = opts.modeler ? 'bpmn-modeler.development.js' : 'bpmn-navigated-viewer.development.js';
  const server = await serve(PAGE(bundle, opts.modeler ? 'Modeler' : 'NavigatedViewer'));
  const { port } = server.address();
  const browser = await puppeteer.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--no-first-run'],
  });
  const report = [];
  let bad = 0;
  try {
    for (const file of opts.files) {
      const xml = await readFile(file, 'utf8');
      const page = await browser.newPage();
      const pageErrors = [];
      page.on('pageerror', (e) => pageErrors.push(String(e.message || e)));
      page.on('console', (m) => { if (m.type() === 'error') pageErrors.push(m.text()); });
      await page.setViewport({ width: opts.width, height: Math.round(opts.width / 2), deviceScaleFactor: opts.scale });
      await page.goto(`http://127.0.0.1:${port}/`, { waitUntil: 'load' });
      await page.evaluate(() => document.fonts.ready);
      let res = await page.evaluate(importAndMeasure, xml);
      if (res.inner) {
        // give the viewport the diagram's (or the slice's) aspect ratio plus a margin, then fit
        const margin = 40;
        const inner = res.inner;
        const part = opts.slice
          ? { x: inner.x + (opts.slice.i - 1) * inner.width / opts.slice.n, width: inner.width / opts.slice.n }
          : { x: inner.x, width: inner.width };
        const box = { x: part.x - margin, y: inner.y - margin, width: part.width + 2 * margin, height: inner.height + 2 * margin };
        const height = Math.max(300, Math.min(8000, Math.round(opts.width * box.height / box.width)));
        await page.setViewport({ width: opts.width, height, deviceScaleFactor: opts.scale });
        await page.evaluate((box) => {
          const canvas = window.bpmnViewer.get('canvas');
          canvas.resized();
          canvas.viewbox(box);
        }, box);
      }
      const outDir = opts.out || join(tmpdir(), 'bpmnio-render');
      await mkdir(outDir, { recursive: true });
      const stem = basename(file).replace(/\.bpmn$/i, '');
      const clash = opts.files.filter((f) => basename(f) === basename(file)).length > 1;
      const name = (clash ? basename(dirname(resolve(file))) + '_' : '') + stem
        + (opts.slice ? `-${opts.slice.i}-of-${opts.slice.n}` : '');
      const png = join(outDir, name + '.png');
      if (!res.error) await page.screenshot({ path: png, fullPage: false });
      await page.close();
      const entry = { file, png: res.error ? null : png, warnings: res.warnings, error: res.error,
        findings: res.findings, pageErrors };
      report.push(entry);
      const status = res.error ? 'ERROR' : `${res.warnings.length} import warning(s), ${res.findings.length} layout finding(s)`;
      console.log(`${file}: ${status}${entry.png ? ` -> ${png}` : ''}`);
      if (res.error) console.log(`  error: ${res.error}`);
      for (const w of res.warnings) console.log(`  warning: ${w}`);
      for (const f of res.findings) console.log(`  layout: ${f}`);
      for (const e of pageErrors) console.log(`  page error: ${e}`);
      if (res.error || res.warnings.length || res.findings.length || pageErrors.length) bad++;
    }
  } finally {
    await browser.close();
    server.close();
  }
  if (opts.json) await writeFile(opts.json, JSON.stringify(report, null, 2));
  if (opts.strict && bad) process.exit(1);
}

main().catch((err) => {
  console.error(err);
  process.exit(2);
});
