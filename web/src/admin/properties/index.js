// The standard bpmn.io properties panel (bpmn-js-properties-panel) with the product's provider,
// for the editable modeler: add `propertiesModules` to the Modeler's additionalModules and
// `propertiesConfig(draftId)` to its options; PanelHost.jsx attaches the panel beside the canvas.
import { BpmnPropertiesPanelModule, BpmnPropertiesProviderModule } from 'bpmn-js-properties-panel';
import '@bpmn-io/properties-panel/dist/assets/properties-panel.css';
import './properties.css';
import GovitContext from './context.js';
import { LaneRenames } from './entries/lanes.js';
import PanelTitles from './panelTitles.js';
import GovitPropertiesProvider from './provider.js';
import TimerSentences from './timerSentences.js';

const govitPropertiesModule = {
  __init__: ['govitPropertiesProvider', 'govitLaneRenames', 'govitTimerSentences'],
  govitContext: ['type', GovitContext],
  govitPropertiesProvider: ['type', GovitPropertiesProvider],
  govitLaneRenames: ['type', LaneRenames],
  govitTimerSentences: ['type', TimerSentences],
  elementTemplates: ['type', PanelTitles],
};

export const propertiesModules = [BpmnPropertiesPanelModule, BpmnPropertiesProviderModule, govitPropertiesModule];

/** Modeler options: the panel is attached by its host, the draft names the vocabulary. */
export function propertiesConfig(draftId) {
  return { propertiesPanel: {}, govit: { draftId: draftId ?? null } };
}
