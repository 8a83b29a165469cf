/** Registers `<crm-notification-center>`. Importing this module is the side effect. */
// The typings of the events it fires (their `HTMLElementEventMap` entries) come with the tag:
// a declaration file keeps a side-effect import, not an import of a type it does not use.
import '../../events/notification-events.js';
import { defineElement } from '../define-element.js';
import { CrmNotificationCenter } from './crm-notification-center.js';

defineElement('crm-notification-center', CrmNotificationCenter);

declare global {
  interface HTMLElementTagNameMap {
    'crm-notification-center': CrmNotificationCenter;
  }
}
