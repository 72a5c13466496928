import React, { useEffect, useRef, useState } from 'react';
import DmnViewer from 'dmn-js/lib/Viewer';
import DmnModeler from 'dmn-js/lib/Modeler';
import 'dmn-js/dist/assets/diagram-js.css';
import 'dmn-js/dist/assets/dmn-js-shared.css';
import 'dmn-js/dist/assets/dmn-js-drd.css';
import 'dmn-js/dist/assets/dmn-js-decision-table.css';
import 'dmn-js/dist/assets/dmn-js-decision-table-controls.css';
import 'dmn-js/dist/assets/dmn-js-literal-expression.css';
import 'dmn-js/dist/assets/dmn-js-boxed-expression.css';
import 'dmn-js/dist/assets/dmn-js-boxed-expression-controls.css';
import 'dmn-js/dist/assets/dmn-font/css/dmn-embedded.css';
import translateModule from './translate.js';
import './admin.css';

const VIEW_LABELS = { drd: '决策关系图', decisionTable: '决策表', literalExpression: '字面表达式', boxedExpression: '表达式' };

// dmn-js for one DMN file: the decision tables (read-only, or editable with `editable`), one tab
// per decision. `onReady(dmnJs)` once imported; `onChange()` after each edit.
export default function DmnCanvas({ xml, editable = false, onReady, onChange, height, testid }) {
  const box = useRef(null);
  const dmn = useRef(null);
  const [views, setViews] = useState([]);
  const [active, setActive] = useState(null);
  const [error, setError] = useState(null);
  const onChangeRef = useRef(onChange);
  onChangeRef.current = onChange;

  useEffect(() => {
    const Ctor = editable ? DmnModeler : DmnViewer;
    // dmn-js takes additionalModules per view type (its `common` ones are overwritten).
    const zh = { additionalModules: [translateModule] };
    const d = new Ctor({ container: box.current, drd: zh, decisionTable: zh, literalExpression: zh, boxedExpression: zh });
    dmn.current = d;
    const refresh = () => {
      setViews(d.getViews());
      setActive(d.getActiveView());
    };
    d.on('views.changed', refresh);
    if (editable) {
      d.on('views.changed', () => {
        const viewer = d.getActiveViewer();
        if (viewer && !viewer.__govitHooked) {
          viewer.__govitHooked = true;
          viewer.on('elements.changed', () => onChangeRef.current?.());
        }
      });
    }
    return () => { d.destroy(); dmn.current = null; };
  }, [editable]);

  useEffect(() => {
    const d = dmn.current;
    if (!d || xml == null) return;
    let cancelled = false;
    setError(null);
    d.importXML(xml).then(() => {
      if (cancelled) return;
      const table = d.getViews().find((v) => v.type === 'decisionTable');
      const open = table ? d.open(table) : Promise.resolve();
      return open.then(() => {
        if (cancelled) return;
        setViews(d.getViews());
        setActive(d.getActiveView());
        onReady?.(d);
      });
    }).catch((e) => { if (!cancelled) setError(e.message || String(e)); });
    return () => { cancelled = true; };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [xml, editable]);

  const shown = views.filter((v) => v.type !== 'drd' || v.element?.di || hasDrdShapes(v));
  return (
    <div className="dmn-wrap" data-testid={testid}>
      {shown.length > 1 && (
        <div className="admin-tabs small">
          {shown.map((v) => (
            <button type="button" key={v.element.id} className={active?.element?.id === v.element.id ? 'active' : ''}
              onClick={() => dmn.current.open(v)}>
              {VIEW_LABELS[v.type] || v.type}：{v.element.name || v.element.id}
            </button>
          ))}
        </div>
      )}
      {error && <div className="error-box">决策表无法显示：{error}</div>}
      <div ref={box} className={`dmn-canvas${editable ? ' editable' : ''}`} style={height ? { height } : undefined} />
    </div>
  );
}

function hasDrdShapes(view) {
  const defs = view.element;
  return Boolean(defs?.dmnDI?.diagrams?.length);
}
