/** Registers `<crm-connection-status>`. Importing this module is the side effect. */
// The typings of the events it fires (their `HTMLElementEventMap` entries) come with the tag:
// a declaration file keeps a side-effect import, not an import of a type it does not use.
import '../../events/connection-status-change.js';
import { defineElement } from '../define-element.js';
import { CrmConnectionStatus } from './crm-connection-status.js';

defineElement('crm-connection-status', CrmConnectionStatus);

declare global {
  interface HTMLElementTagNameMap {
    'crm-connection-status': CrmConnectionStatus;
  }
}
