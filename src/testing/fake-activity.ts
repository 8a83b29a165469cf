/**
 * The activity log on the fake server, by the same rules as the reference server
 * (`src/server/activity/`).
 *
 * - Items are appended by scripts (`server.appendActivity(input)`, as the HTTP publish API would),
 *   for every accepted entity change (`entity.created` / `entity.updated`, with old → new values,
 *   by `activityOfChange` of `src/domain/entity-activity.ts`, the reference server's own rule),
 *   or seeded as history (`server.activity.seed(10_000)`, not delivered live). An item's
 *   `customerId` is the one given, else the entity's id when the entity is a customer.
 * - Feeds: `global` (everything), `user` (items whose actor is the user), `customer` (items whose
 *   `customerId` is the customer: the customer itself and its calls, meetings, notes).
 * - `activity.list` pages a feed newest first by cursor, filtered by kinds and actors (empty lists
 *   mean all); default 50 per page. The feed's room must be one the user may join.
 * - An appended item is published as a sequenced `activity` event in the room of every feed it
 *   belongs to (`activity:global`, `activity:user:<id>`, `activity:customer:<id>`), so resume
 *   covers the live tail. Clients may not emit `activity` events themselves.
 *
 * ```ts
 * server.activity.seed(10_000);                         // history, fast
 * server.appendActivity({ kind: 'call.logged', customerId: '42', actor, summary: 'Call' });
 * const burst = activityBurst(server, { perSecond: 1000, durationMs: 1000 });
 * ```
 */
import * as z from 'zod/mini';
import type { ActivityItem } from '../protocol/index.js';
import {
  ActivityInput,
  feedRoom,
  type ActivityFilter,
  type ActivityListFrame,
  type EntityChange,
  type ErrorCode,
  type FeedRef,
  type ServerFrame,
  type UserProfile,
} from '../protocol/index.js';
import type { Clock } from '../client/types.js';
import { activityDraft, feedsOf, inFeed, passesFilter } from '../domain/activity-feeds.js';
import { activityOfChange } from '../domain/entity-activity.js';
import type { FakeConnection } from './fake-room.js';
import { fitPage, PAGE_BYTES, TimeLog, type LogEntry } from './fake-history.js';
import { SAMPLE_PEOPLE, type Scenario } from './scenario.js';

/** A filter that leaves items out (kinds, actors): its pages look through a window of the feed. */
function filtered(filter: ActivityFilter | undefined): boolean {
  return Boolean(filter?.kinds?.length || filter?.actors?.length);
}

/** What the fake activity log needs from the server it lives in. */
export interface FakeActivityHost {
  now(): number;
  /** Publish a sequenced room event (recorded for resume, sent to members). */
  publish(room: string, event: string, payload: unknown, from?: string): unknown;
  /**
   * Whether a room exists (was ever joined). Events for rooms nobody ever joined are skipped: no
   * client can tell, and a 1,000-a-second burst in a story costs a third.
   */
  hasRoom(room: string): boolean;
  send(c: FakeConnection, frame: ServerFrame): void;
  error(c: FakeConnection, code: ErrorCode, message: string, replyTo?: string): void;
  mayJoin(user: UserProfile, room: string): boolean;
}

interface Stored extends LogEntry {
  readonly item: ActivityItem;
}

export class FakeActivity {
  private readonly log = new TimeLog<Stored>();
  private order = 0;
  /**
   * How many of a feed's items a filtered page looks through below its cursor, as the reference
   * server does (`FILTER_WINDOW_ROWS`): a page may hold few items or none and still have a
   * `nextCursor`. Tests lower it to reach that with a small log.
   */
  filterWindowRows = 5_000;

  constructor(private readonly host: FakeActivityHost) {}

  get size(): number {
    return this.log.size;
  }

  /**
   * Append an item (as a backend publishing over HTTP, or an accepted entity change) and publish
   * it live. Throws a `TypeError` on input the real server would refuse.
   */
  append(input: ActivityInput, options: { at?: number } = {}): ActivityItem {
    const parsed = z.safeParse(ActivityInput, input);
    if (!parsed.success) throw new TypeError(`invalid activity: ${z.prettifyError(parsed.error)}`);
    const stored = this.make(parsed.data, options.at ?? this.host.now());
    this.log.insert(stored);
    for (const feed of feedsOf(stored.item)) {
      const room = feedRoom(feed);
      if (this.host.hasRoom(room)) {
        this.host.publish(room, 'activity', stored.item, stored.item.actor?.id);
      }
    }
    return stored.item;
  }

  /** An accepted entity change, as the reference server records it (the rule both share). */
  recordEntityChange(change: EntityChange): ActivityItem {
    return this.append(activityOfChange(change));
  }

  /**
   * Seed history, not delivered live: `count` sample items spaced back in time from now (or the
   * given inputs, oldest first). Fast enough for 10,000 items in a story.
   */
  seed(
    count: number,
    options: { spacingMs?: number; make?: (index: number) => ActivityInput } = {},
  ): void {
    const spacing = options.spacingMs ?? 90_000;
    const now = this.host.now();
    const batch: Stored[] = [];
    for (let i = count - 1; i >= 0; i--) {
      // The samples are valid by construction (and every page sent is validated): only a
      // script's own items are checked here, which keeps 10,000 items quick.
      const input = options.make ? z.parse(ActivityInput, options.make(i)) : sampleActivity(i);
      batch.push(this.make(input, now - i * spacing));
    }
    this.log.insertMany(batch);
  }

  /** A feed's items, newest first (optionally filtered). */
  feed(feed: FeedRef, filter?: ActivityFilter): ActivityItem[] {
    const out: ActivityItem[] = [];
    for (let i = this.log.entries.length - 1; i >= 0; i--) {
      const item = this.log.entries[i]!.item;
      if (inFeed(item, feed) && passesFilter(item, filter)) out.push(item);
    }
    return out;
  }

  /** Drop items older than `at` (retention). Returns how many went. */
  prune(olderThan: number): number {
    return this.log.remove((s) => s.at < olderThan);
  }

  clear(): void {
    this.log.entries.length = 0;
  }

  /** `activity.list`. */
  list(c: FakeConnection, user: UserProfile, frame: ActivityListFrame): void {
    const room = feedRoom(frame.feed);
    if (!this.host.mayJoin(user, room)) {
      return this.host.error(c, 'forbidden', `may not read ${room}`, frame.id);
    }
    let page;
    try {
      page = fitPage(
        this.log.page(
          (s) => inFeed(s.item, frame.feed) && passesFilter(s.item, frame.filter),
          frame.before,
          frame.limit ?? 50,
          filtered(frame.filter)
            ? { rows: this.filterWindowRows, among: (s) => inFeed(s.item, frame.feed) }
            : undefined,
        ),
        (s) => s.item,
        PAGE_BYTES,
      );
    } catch (error) {
      return this.host.error(c, 'bad_frame', (error as Error).message, frame.id);
    }
    const reply: ServerFrame = {
      type: 'activity.page',
      replyTo: frame.id,
      items: page.items.map((s) => s.item),
    };
    if (page.nextCursor !== undefined) reply.nextCursor = page.nextCursor;
    this.host.send(c, reply);
  }

  private make(input: ActivityInput, at: number): Stored {
    this.order += 1;
    return { at, order: this.order, item: { id: `a-${this.order}`, ...activityDraft(input, at) } };
  }
}

const CUSTOMERS = [
  { id: '42', label: 'Difference Ltd' },
  { id: '7', label: 'Babbage & Co.' },
  { id: '19', label: 'Navy Labs' },
];
const STAGES = ['lead', 'qualified', 'proposal', 'won'];

/**
 * A plausible activity item for stories: entity changes with old → new values, calls, meetings,
 * notes, spread over the sample people and three customers (`42`, `7`, `19`).
 */
export function sampleActivity(index: number): ActivityInput {
  // Not `index % people`: with kinds cycling by 4, each person would do one kind of thing only.
  const actor = SAMPLE_PEOPLE[(index + Math.floor(index / 4)) % SAMPLE_PEOPLE.length]!;
  const customer = CUSTOMERS[index % CUSTOMERS.length]!;
  switch (index % 4) {
    case 0:
      return {
        kind: 'entity.updated',
        actor,
        entity: { type: 'customer', id: customer.id, label: customer.label },
        customerId: customer.id,
        changes: [
          {
            field: 'stage',
            from: STAGES[index % STAGES.length]!,
            to: STAGES[(index + 1) % STAGES.length]!,
          },
        ],
      };
    case 1:
      return {
        kind: 'call.logged',
        actor,
        entity: { type: 'call', id: `call-${index}` },
        customerId: customer.id,
        summary: `Call with ${customer.label}: ${3 + (index % 20)} min`,
      };
    case 2:
      return {
        kind: 'meeting.scheduled',
        actor,
        entity: { type: 'meeting', id: `meeting-${index}` },
        customerId: customer.id,
        summary: `Quarterly review with ${customer.label}`,
      };
    default:
      return {
        kind: 'note.added',
        actor,
        customerId: customer.id,
        summary: 'Prefers email over phone calls.',
      };
  }
}

/**
 * A burst of live activity driven by a clock: `perSecond` items for `durationMs`, appended in
 * ticks of `tickMs` (default 16, one frame), for burst stories and benchmarks.
 */
export function activityBurst(
  server: { clock: Clock; appendActivity(input: ActivityInput): ActivityItem },
  {
    perSecond = 1000,
    durationMs = 1000,
    tickMs = 16,
    clock = server.clock,
    make = sampleActivity,
  }: {
    perSecond?: number;
    durationMs?: number;
    tickMs?: number;
    clock?: Clock;
    make?: (index: number) => ActivityInput;
  } = {},
): Scenario & { readonly sent: number } {
  let sent = 0;
  let elapsed = 0;
  let handle: unknown;
  let stopped = false;
  const total = Math.round((perSecond * durationMs) / 1000);
  const tick = () => {
    if (stopped) return;
    elapsed = Math.min(durationMs, elapsed + tickMs);
    const due = Math.min(total, Math.round((perSecond * elapsed) / 1000));
    while (sent < due) server.appendActivity(make(sent++));
    if (sent < total) handle = clock.setTimeout(tick, tickMs);
  };
  handle = clock.setTimeout(tick, tickMs);
  return {
    get sent() {
      return sent;
    },
    stop() {
      stopped = true;
      clock.clearTimeout(handle);
    },
  };
}
