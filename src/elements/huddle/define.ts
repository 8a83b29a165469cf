/** Registers `<crm-huddle>`. Importing this module is the side effect. */
// The typings of the events it fires (their `HTMLElementEventMap` entries) come with the tag:
// a declaration file keeps a side-effect import, not an import of a type it does not use.
import '../../events/huddle-events.js';
import { defineElement } from '../define-element.js';
import { CrmHuddle } from './crm-huddle.js';

defineElement('crm-huddle', CrmHuddle);

declare global {
  interface HTMLElementTagNameMap {
    'crm-huddle': CrmHuddle;
  }
}
