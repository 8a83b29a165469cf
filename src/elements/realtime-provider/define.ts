/** Registers `<crm-realtime-provider>`. Importing this module is the side effect. */
import { defineElement } from '../define-element.js';
import { CrmRealtimeProvider } from './crm-realtime-provider.js';

defineElement('crm-realtime-provider', CrmRealtimeProvider);

declare global {
  interface HTMLElementTagNameMap {
    'crm-realtime-provider': CrmRealtimeProvider;
  }
}
