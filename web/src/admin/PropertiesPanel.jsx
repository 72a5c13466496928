// The modeler page renders the properties panel by this name; the panel is the standard bpmn.io
// one with the product's provider (./properties/), hosted by PanelHost.
export { default } from './properties/PanelHost.jsx';
