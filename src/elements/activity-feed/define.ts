/** Registers `<crm-activity-feed>`. Importing this module is the side effect. */
import { defineElement } from '../define-element.js';
import { CrmActivityFeed } from './crm-activity-feed.js';

defineElement('crm-activity-feed', CrmActivityFeed);

declare global {
  interface HTMLElementTagNameMap {
    'crm-activity-feed': CrmActivityFeed;
  }
}
