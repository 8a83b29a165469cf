/**
 * The activity log on the reference server: appending (accepted entity changes, backends' events),
 * the live tail, paged feeds and retention. Transport-free: the frame handler, the HTTP routes and
 * the entity-change subscription call it.
 *
 * An item belongs to the global feed, to its actor's feed and to its customer's feed. Its customer
 * is `customerId` when given, else the entity itself when the entity is a customer. Each appended
 * item is published as a sequenced `event` named `activity` in the room of every feed it belongs
 * to (`activity:global`, `activity:user:<actor>`, `activity:customer:<id>`), so resume after a
 * reconnect covers the live tail.
 */
import {
  feedRoom,
  fittingCount,
  type ActivityFilter,
  type ActivityInput,
  type ActivityItem,
  type ActivityPageFrame,
  type FeedRef,
} from '../../protocol/index.js';
import { EventTooLargeError, type Bus } from '../bus.js';
import { every, retentionCutoff, type ServerClock } from '../clock.js';
import { InFlight } from '../in-flight.js';
import { errorFields, type Logger } from '../log.js';
import type { CapabilityMetrics } from '../metrics.js';
import { activityDraft, feedsOf } from '../../domain/activity-feeds.js';
import type { ActivityRepository } from './activity-repository.js';
import { CursorError, decodeCursor, encodeCursor, MonotonicTime } from './cursor.js';

const CURSOR_KIND = 'a';

export interface ActivityRetention {
  /** Delete items older than this many days; 0 keeps them by age. Default 365. */
  maxAgeDays?: number | undefined;
  /** Keep at most this many items (the newest); 0 means no limit. Default 0. */
  maxRows?: number | undefined;
  /** How often the sweep runs. Default one hour. */
  sweepMs?: number | undefined;
}

export interface ActivityServiceOptions extends ActivityRetention {
  /** Counts what is appended (the server's `/metrics`). */
  metrics?: CapabilityMetrics | undefined;
  repository: ActivityRepository;
  bus: Bus;
  clock: ServerClock;
  log: Logger;
}

export type ActivityPage = Omit<ActivityPageFrame, 'type' | 'replyTo'>;

export class ActivityService {
  readonly maxAgeDays: number;
  readonly maxRows: number;
  private readonly time: Promise<MonotonicTime>;
  /** `time` once known: what a synchronous append needs. */
  private timeNow: MonotonicTime | undefined;
  private readonly stopSweep: () => void;
  /** Appends and live publishes under way, so shutdown can wait for them. */
  private readonly running = new InFlight();

  constructor(private readonly options: ActivityServiceOptions) {
    this.maxAgeDays = options.maxAgeDays ?? 365;
    this.maxRows = options.maxRows ?? 0;
    this.time = options.repository.newestTime().then((t) => (this.timeNow = new MonotonicTime(t)));
    // Keep a failed read from surfacing as an unhandled rejection; `append` awaits it again.
    this.time.catch(() => {});
    this.stopSweep =
      this.maxAgeDays > 0 || this.maxRows > 0
        ? every(options.clock, options.sweepMs ?? 3_600_000, () => void this.sweep())
        : () => {};
  }

  /** Appends a (validated) item, stamped with the server's time, and publishes it live. */
  append(input: ActivityInput): Promise<ActivityItem> {
    return this.running.track(this.appendAndPublish(input));
  }

  /** Resolves once no append or live publish is under way, or after `timeoutMs` (shutdown). */
  settled(timeoutMs: number): Promise<void> {
    return this.running.settled(timeoutMs);
  }

  private async appendAndPublish(input: ActivityInput): Promise<ActivityItem> {
    const { repository, clock } = this.options;
    const appended = await repository.append(
      activityDraft(input, (await this.time).next(clock.now())),
    );
    await this.appended(appended);
    return appended;
  }

  /**
   * Resolves once the log's newest time is read, from when `appendInTransaction` can run (a
   * networked log answers a little after the service is built).
   */
  async opened(): Promise<void> {
    await this.time;
  }

  /** Whether `appendInTransaction` can be used: the log joins its caller's transaction. */
  get canAppendInTransaction(): boolean {
    return this.options.repository.appendNow !== undefined;
  }

  /**
   * Appends an item synchronously inside the caller's open transaction on the log's database
   * (an entity change's), so both commit or neither does; throws when it cannot. Returns the
   * live fan-out, for the caller to run once the transaction has committed.
   */
  appendInTransaction(input: ActivityInput): () => void {
    const { repository, clock } = this.options;
    if (!repository.appendNow) throw new Error('this activity log cannot join a transaction');
    // Known a microtask after the service is built, long before the first write arrives.
    if (!this.timeNow) throw new Error('the activity log is not open yet');
    const appended = repository.appendNow(activityDraft(input, this.timeNow.next(clock.now())));
    return () => void this.running.track(this.appended(appended));
  }

  /** Counts and publishes a stored item live in each of its feeds. */
  private async appended(appended: ActivityItem): Promise<void> {
    const { bus, log } = this.options;
    if (this.options.metrics) this.options.metrics.activityAppended += 1;
    const event = { event: 'activity', payload: appended, from: appended.actor?.id };
    await Promise.all(
      feedsOf(appended).map((feed) =>
        bus.publish(feedRoom(feed), event).catch((err: unknown) => {
          // Stored already: readers of the feed find it in its history. Its live readers are
          // told to resume (`gap`), which makes them read the feed again.
          log.error('activity not published live', { room: feedRoom(feed), ...errorFields(err) });
          if (!(err instanceof EventTooLargeError)) bus.eventLost?.(feedRoom(feed));
        }),
      ),
    );
  }

  /**
   * A feed's page, newest first. Throws `CursorError` for a cursor we did not hand out. With
   * `maxBytes` the page holds fewer than `limit` items when that many would serialize to more (a
   * frame has a size limit), and its cursor continues after the last one it holds; an item too
   * large on its own comes without its changes' values (`slimmed`), never not at all.
   */
  async list(
    feed: FeedRef,
    filter: ActivityFilter | undefined,
    before: string | undefined,
    limit: number,
    maxBytes?: number,
  ): Promise<ActivityPage> {
    let seq: number | undefined;
    if (before !== undefined) {
      seq = decodeCursor(CURSOR_KIND, before);
      if (seq === undefined) throw new CursorError(before);
    }
    const repository = this.options.repository;
    let page = await repository.page(feed, filter, seq, limit);
    if (maxBytes !== undefined) {
      const fits = fittingCount(page.items, maxBytes);
      // Rare (data-URL avatars, large values): ask again for what fits, for the right cursor.
      if (fits < page.items.length) {
        page = await repository.page(feed, filter, seq, Math.max(1, fits));
      }
      // Not even the first fits: it alone, without its values.
      const [first] = page.items;
      if (fits === 0 && first) page.items = [slimmed(first)];
    }
    const answer: ActivityPage = { items: page.items };
    if (page.next !== undefined) answer.nextCursor = encodeCursor(CURSOR_KIND, page.next);
    return answer;
  }

  /** Applies the retention limits now; resolves to how many items went. */
  async sweep(): Promise<number> {
    const { repository, clock, log } = this.options;
    try {
      const removed = await repository.prune({
        cutoff: this.maxAgeDays > 0 ? retentionCutoff(clock.now(), this.maxAgeDays) : undefined,
        keepRows: this.maxRows > 0 ? this.maxRows : undefined,
      });
      if (removed > 0) {
        log.info('activity retention', { removed, days: this.maxAgeDays, rows: this.maxRows });
      }
      return removed;
    } catch (err) {
      log.error('activity retention failed', errorFields(err));
      return 0;
    }
  }

  close(): void {
    this.stopSweep();
  }
}

/**
 * An item too large for a frame (an entity change of long values, logged before it was refused
 * live): the same item with its changes naming the fields but not their values.
 */
function slimmed(item: ActivityItem): ActivityItem {
  if (!item.changes) return item;
  return { ...item, changes: item.changes.map((change) => ({ field: change.field })) };
}
