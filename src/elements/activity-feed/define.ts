/** Registers `<crm-activity-feed>`. Importing this module is the side effect. */
// The typings of the events it fires (their `HTMLElementEventMap` entries) come with the tag:
// a declaration file keeps a side-effect import, not an import of a type it does not use.
import '../../events/activity-events.js';
import { defineElement } from '../define-element.js';
import { CrmActivityFeed } from './crm-activity-feed.js';

defineElement('crm-activity-feed', CrmActivityFeed);

declare global {
  interface HTMLElementTagNameMap {
    'crm-activity-feed': CrmActivityFeed;
  }
}
