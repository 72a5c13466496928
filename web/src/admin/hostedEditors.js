// The word-level editors the modeler hosts, each written beside it in its own folder:
//   dmn/DmnWordsEditor.jsx — a decision table in words
//     props {draftId, path, revision, onSaved(draftDetail), onDirty(bool)}; saves itself;
//   forms/FormDesigner.jsx — a form by design
//     props {schemaText, uiText, onChange({schemaText, uiText}), vocabulary}.
// Looked up by glob so that the modeler builds (with its expert editors alone) in a tree that
// does not have one of them; a build that has the file includes it.
const dmnWords = import.meta.glob('./dmn/DmnWordsEditor.jsx', { eager: true });
const formDesigner = import.meta.glob('./forms/FormDesigner.jsx', { eager: true });

export const DmnWordsEditor = Object.values(dmnWords)[0]?.default || null;
export const FormDesigner = Object.values(formDesigner)[0]?.default || null;
