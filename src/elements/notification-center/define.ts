/** Registers `<crm-notification-center>`. Importing this module is the side effect. */
import { defineElement } from '../define-element.js';
import { CrmNotificationCenter } from './crm-notification-center.js';

defineElement('crm-notification-center', CrmNotificationCenter);

declare global {
  interface HTMLElementTagNameMap {
    'crm-notification-center': CrmNotificationCenter;
  }
}
