export { CrmHuddle } from './crm-huddle.js';
export { defaultHuddleMessages, type HuddleMessages } from './huddle-messages.js';
