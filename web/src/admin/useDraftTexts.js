import { useCallback, useRef, useState } from 'react';

// The texts of a draft in the modeler and its save state, kept true: a file is unsaved only while
// its working text differs from what was last loaded or saved. A diagram or a dmn-js table is
// compared as its editor exports it (the editor's export of the saved text is remembered once it
// has imported it), so an edit undone is no edit. A decision table edited in words is held by its
// own editor, which saves it itself: its unsaved state is reported apart (`wordsDirty`).
export default function useDraftTexts() {
  const saved = useRef({}); // path → text as last loaded or saved
  const texts = useRef({}); // path → working text
  const exported = useRef({}); // path → an editor's export of the saved text
  const jsonErrors = useRef({}); // path → why the working text is not JSON, or null
  const [dirty, setDirty] = useState({});
  const [wordsDirty, setWordsDirty] = useState({});

  const reset = useCallback((files) => {
    saved.current = { ...(files || {}) };
    texts.current = { ...(files || {}) };
    exported.current = {};
    jsonErrors.current = {};
    setDirty({});
    setWordsDirty({});
  }, []);

  const changed = useCallback((path) => texts.current[path] !== undefined && texts.current[path] !== saved.current[path]
    && texts.current[path] !== exported.current[path], []);
  const changedPaths = useCallback(() => Object.keys(texts.current).filter(changed), [changed]);
  const recheck = useCallback((path) => {
    const now = changed(path);
    setDirty((d) => (Boolean(d[path]) === now ? d : { ...d, [path]: now }));
  }, [changed]);
  const recheckAll = useCallback(() => setDirty(Object.fromEntries(changedPaths().map((p) => [p, true]))), [changedPaths]);
  // An editor reported an edit: unsaved until its export is compared (`recheck`).
  const edited = useCallback((path) => setDirty((d) => (d[path] ? d : { ...d, [path]: true })), []);

  const setText = useCallback((path, text, parseError = null) => {
    texts.current[path] = text;
    jsonErrors.current[path] = parseError;
    recheck(path);
  }, [recheck]);

  // The server now holds `content` for `path` (saved here, or by another editor when `external`).
  const markSaved = useCallback((path, content, external = false) => {
    saved.current[path] = content;
    if (external) {
      texts.current[path] = content;
      delete exported.current[path];
    } else {
      exported.current[path] = content;
    }
    recheck(path);
  }, [recheck]);

  const forget = useCallback((path) => {
    delete saved.current[path];
    delete texts.current[path];
    setDirty((d) => { const n = { ...d }; delete n[path]; return n; });
  }, []);

  const rememberExport = useCallback(async (path, editor) => {
    if (exported.current[path] !== undefined || texts.current[path] !== saved.current[path]) return;
    exported.current[path] = (await editor.saveXML({ format: true })).xml;
  }, []);

  const setWordsUnsaved = useCallback((path, value) => {
    setWordsDirty((cur) => (Boolean(cur[path]) === value ? cur : { ...cur, [path]: value }));
  }, []);

  return {
    saved, texts, jsonErrors, dirty, wordsDirty, reset, changedPaths, recheck, recheckAll, edited, setText,
    markSaved, forget, rememberExport, setWordsUnsaved,
    anyDirty: Object.values(dirty).some(Boolean) || Object.values(wordsDirty).some(Boolean),
    unsavedWords: Object.keys(wordsDirty).filter((p) => wordsDirty[p]),
  };
}
