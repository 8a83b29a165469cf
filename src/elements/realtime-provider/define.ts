/** Registers `<crm-realtime-provider>`. Importing this module is the side effect. */
// The typings of the events it fires (their `HTMLElementEventMap` entries) come with the tag:
// a declaration file keeps a side-effect import, not an import of a type it does not use.
import '../../events/connection-status-change.js';
import '../../events/connection-refused.js';
import { defineElement } from '../define-element.js';
import { CrmRealtimeProvider } from './crm-realtime-provider.js';

defineElement('crm-realtime-provider', CrmRealtimeProvider);

declare global {
  interface HTMLElementTagNameMap {
    'crm-realtime-provider': CrmRealtimeProvider;
  }
}
