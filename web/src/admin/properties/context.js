// What the properties panel knows beyond the diagram: the draft being edited and its vocabulary
// (GET /drafts/{id}/words: articles with their text, date fields, forms by title, decisions,
// processes and roles, each by its Chinese name), the draft's manifest (lane → role) with the
// callback that changes it, and the server's timer sentences (POST /words/timer, cached by
// expression). The page that hosts the modeler sets these with `configure`; every change re-renders
// the panel.
import { api } from '../../api.js';

// After the next frame is painted (or 150 ms in a hidden tab), then after the tasks queued by then.
function afterNextPaint(callback) {
  let frame = null;
  const done = () => {
    clearTimeout(timeout);
    cancelAnimationFrame(frame);
    setTimeout(() => setTimeout(callback, 0), 0);
  };
  const timeout = setTimeout(done, 150);
  frame = requestAnimationFrame(done);
}

// Callbacks by identity, data by content (the page rebuilds equal objects when it re-renders).
function same(a, b) {
  if (a === b) return true;
  if (typeof a === 'function' || typeof b === 'function') return false;
  return JSON.stringify(a) === JSON.stringify(b);
}

const EMPTY_VOCABULARY = { articles: [], date_fields: [], forms: [], decisions: [], processes: [], roles: [] };

export default class GovitContext {
  constructor(config, eventBus, selection) {
    this._eventBus = eventBus;
    this.draftId = null;
    this.vocabulary = EMPTY_VOCABULARY;
    this.vocabularyLoaded = false;
    this.manifest = null;
    this.onManifest = null;
    this.uiSchemas = [];
    this.decisions = [];
    this.processes = [];
    this._timers = new Map();
    this._superseded = new Set(); // manifests (as JSON) the panel has replaced
    // The panel renders the diagram's root as soon as it is added, before its children are
    // imported, and listens for the end of the import only once it has painted: render it again
    // after that, so that the whole diagram's title and groups show.
    // A selection made meanwhile (the page opening a finding's element) is shown, too.
    eventBus.on('import.done', () => afterNextPaint(() => {
      this.changed();
      const selected = selection.get();
      if (selected.length) eventBus.fire('selection.changed', { oldSelection: [], newSelection: selected });
    }));
    if (config?.draftId) this.configure({ draftId: config.draftId });
  }

  /** Set any of draftId, manifest, onManifest, uiSchemas, decisions, processes; the panel is
   * rendered again only when one of them really changed. */
  configure(values) {
    const { draftId, ...rest } = values;
    let changed = false;
    for (const [key, value] of Object.entries(rest)) {
      if (value === undefined || same(this[key], value)) continue;
      // the page may hand back a manifest it parsed before the panel's last change
      if (key === 'manifest' && this._superseded.has(JSON.stringify(value))) continue;
      this[key] = value;
      changed = true;
    }
    if (draftId && String(draftId) !== String(this.draftId)) {
      this.draftId = draftId;
      this._timers.clear(); // the sentences name the draft's date fields
      this._loadVocabulary(draftId);
      changed = true;
    }
    if (changed) this.changed();
  }

  /** The manifest after a change made in the panel (the page is told by `onManifest`). */
  setManifest(next) {
    if (this.manifest) this._superseded.add(JSON.stringify(this.manifest));
    this._superseded.delete(JSON.stringify(next));
    this.manifest = next;
  }

  changed() {
    this._eventBus.fire('propertiesPanel.providersChanged');
    this._eventBus.fire('govit.context.changed');
  }

  async _loadVocabulary(draftId) {
    try {
      const words = await api.get(`/drafts/${encodeURIComponent(draftId)}/words`);
      if (String(draftId) !== String(this.draftId)) return;
      this.vocabulary = { ...EMPTY_VOCABULARY, ...(words || {}) };
      this.vocabularyLoaded = true;
      this._timers.clear();
      this._eventBus.fire('govit.vocabulary.loaded');
    } catch (e) {
      this.vocabularyError = e.message || String(e);
    }
    this.changed();
  }

  /** Roles a lane may be mapped to: the manifest's, else the vocabulary's. */
  roles() {
    const fromManifest = this.manifest?.roles || [];
    return fromManifest.length ? fromManifest : this.vocabulary.roles || [];
  }

  /** Decisions and processes by name: the vocabulary's, else the ones the page read from the files. */
  decisionList() {
    return this.vocabulary.decisions?.length ? this.vocabulary.decisions : this.decisions;
  }

  processList() {
    return this.vocabulary.processes?.length ? this.vocabulary.processes : this.processes;
  }

  /** {words, sentence} of a timer expression, from the server (cached). */
  timerWords(expression) {
    const key = expression || '';
    if (!this._timers.has(key)) {
      const body = { expression: key };
      if (this.draftId) body.draft_id = Number(this.draftId) || this.draftId;
      const pending = api.post('/words/timer', body).catch((e) => {
        this._timers.delete(key);
        throw e;
      });
      this._timers.set(key, pending);
    }
    return this._timers.get(key);
  }

  /** {expression, sentence} the server writes for a words object; cached for reading back. */
  async timerExpression(words) {
    const body = { ...words };
    if (this.draftId) body.draft_id = Number(this.draftId) || this.draftId;
    const out = await api.post('/words/timer/expression', body);
    this._timers.set(out.expression, Promise.resolve({ words, sentence: out.sentence }));
    return out;
  }
}

GovitContext.$inject = ['config.govit', 'eventBus', 'selection'];
