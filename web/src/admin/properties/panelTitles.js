// The panel's header titles an element by its name; a collaboration diagram's root has none, and
// the header would read only its type. The header asks the `elementTemplates` service (bpmn.io's
// element templates, which this product does not use) for a title first, so this service answers
// for the collaboration root alone: the name of the process it shows.
import { is } from 'bpmn-js/lib/util/ModelUtil';
import { mainParticipant } from './provider.js';

export default class PanelTitles {
  get(element) {
    if (!element || !is(element, 'bpmn:Collaboration')) return null;
    const participant = mainParticipant(element);
    const bo = participant?.businessObject;
    const name = bo?.processRef?.name || bo?.name;
    return name ? { name } : null;
  }
}
