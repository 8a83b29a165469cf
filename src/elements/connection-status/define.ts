/** Registers `<crm-connection-status>`. Importing this module is the side effect. */
import { defineElement } from '../define-element.js';
import { CrmConnectionStatus } from './crm-connection-status.js';

defineElement('crm-connection-status', CrmConnectionStatus);

declare global {
  interface HTMLElementTagNameMap {
    'crm-connection-status': CrmConnectionStatus;
  }
}
