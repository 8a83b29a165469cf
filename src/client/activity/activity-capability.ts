/**
 * Activity feeds as a capability of the client: `open()` makes one reader's store of a feed. What
 * readers of a feed share is its room (held through the client); the items depend on what is the
 * reader's own (its filter, how far back it scrolled: see the sharing rule in shared-stores.ts).
 */
import type { FeedRef } from '../../protocol/activity.js';
import {
  ActivityStore,
  type ActivityStoreApi,
  type ActivityStoreOptions,
} from './activity-store.js';
import { registerCapability, type Capability } from '../capability.js';
import { FRAMES } from '../../protocol/checks/activity.js';
import { acceptServerFrames } from '../connection/wire.js';

export interface ActivityFeeds {
  open(feed: FeedRef, options?: ActivityStoreOptions): ActivityStoreApi;
}

export const ACTIVITY: Capability<ActivityFeeds> = registerCapability({
  name: 'activity',
  create(client, host) {
    acceptServerFrames(FRAMES);
    return { open: (feed, options) => new ActivityStore(client, host, feed, options) };
  },
});
