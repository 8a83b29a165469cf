/** Registers `<crm-presence>`. Importing this module is the side effect. */
import { defineElement } from '../define-element.js';
import { CrmPresence } from './crm-presence.js';

defineElement('crm-presence', CrmPresence);

declare global {
  interface HTMLElementTagNameMap {
    'crm-presence': CrmPresence;
  }
}
