/** Registers `<crm-huddle>`. Importing this module is the side effect. */
import { defineElement } from '../define-element.js';
import { CrmHuddle } from './crm-huddle.js';

defineElement('crm-huddle', CrmHuddle);

declare global {
  interface HTMLElementTagNameMap {
    'crm-huddle': CrmHuddle;
  }
}
