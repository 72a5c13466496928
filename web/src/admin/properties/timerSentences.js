// The deadline of every timer on the canvas, as the sentence the server reads from its expression
// (「5 个工作日」「每季度末」…), in a small overlay above the event; expressions that are no sentence
// get none. Kept up to date when a timer changes or the draft's vocabulary arrives.
import { timerOf } from '../bpmnInfo.js';

const TYPE = 'govit-timer-sentence';

export default class TimerSentences {
  constructor(eventBus, overlays, elementRegistry, govitContext) {
    this._overlays = overlays;
    this._context = govitContext;
    this._shown = new Map(); // element id -> the expression whose sentence is shown (or pending)
    const all = () => elementRegistry.getAll();
    eventBus.on('import.done', () => { this._shown.clear(); this.refresh(all()); });
    eventBus.on('elements.changed', ({ elements }) => this.refresh(elements));
    eventBus.on('govit.vocabulary.loaded', () => { this._shown.clear(); this.refresh(all()); });
  }

  refresh(elements) {
    for (const element of elements) {
      if (element.type === 'label' || !element.businessObject) continue;
      const timer = timerOf(element.businessObject);
      const expression = timer?.expression || '';
      if (this._shown.get(element.id) === expression) continue;
      this._shown.set(element.id, expression);
      this._overlays.remove({ element: element.id, type: TYPE });
      if (!timer || !expression) continue;
      this._context.timerWords(expression).then(({ sentence }) => {
        if (this._shown.get(element.id) !== expression || !sentence) return;
        const node = document.createElement('div');
        node.className = 'govit-timer-sentence';
        node.dataset.testid = 'timer-sentence-overlay';
        node.textContent = sentence;
        this._overlays.remove({ element: element.id, type: TYPE });
        this._overlays.add(element.id, TYPE, { position: { top: -26, left: -30 }, html: node });
      }).catch(() => { /* no sentence: the expert reads the expression in the panel */ });
    }
  }
}

TimerSentences.$inject = ['eventBus', 'overlays', 'elementRegistry', 'govitContext'];
