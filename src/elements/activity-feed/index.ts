/** `<crm-activity-feed>` and its texts; side-effect free (see `define.ts`). */
export { CrmActivityFeed, type FeedType } from './crm-activity-feed.js';
export {
  defaultActivityFeedMessages,
  type ActivityFeedMessages,
  type HeadlineParts,
} from './activity-messages.js';
