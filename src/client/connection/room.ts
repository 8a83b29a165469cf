/**
 * One held room on the client (held and released through the client's `SharedStores`): the last
 * event sequence number seen (for resume), the join in flight, what the user does there, and the
 * room's presence store.
 */
import type {
  Activity,
  ClientFrame,
  EventFrame,
  JoinedFrame,
  PresenceState,
} from '../../protocol/index.js';
import { PresenceStore, type PresenceStoreHost } from '../presence/presence-store.js';
import type { RealtimeError } from '../realtime-error.js';
import { Listeners } from '../store/listeners.js';

export class Room {
  /** Highest `seq` seen; sent as `since` on re-join. */
  lastSeq: number | undefined;
  /** Id of the `join` in flight, if any. */
  joinId: string | undefined;
  joined = false;
  /**
   * Events that came while a join filled a hole in the sequence (see `RealtimeClient`), handed
   * over in `seq` order with its replay on its `joined`.
   */
  held: EventFrame[] | undefined;
  /**
   * A replay over a hole did not fill it: the server leaves events out for this user here (items
   * about records they may not read), so a hole here is no loss and joins nothing again.
   */
  leavesOut?: boolean;
  /** What the user does here (viewing, or editing a field). */
  activity: Activity = { kind: 'viewing' };
  /** The user is in this room's call (`<crm-huddle>`), shown to the others in presence. */
  inCall = false;
  /** Joins refused in a row with an error worth retrying (the server could not decide now). */
  refusedJoins = 0;
  /** The timer of the next try after such a refusal. */
  rejoinTimer: unknown;
  /**
   * The join refused for good (`forbidden`, `too_many_rooms`), until a later join succeeds; the
   * holders that asked (`joinRoom`'s `onRefused`) hear of both, so their widgets say so instead of
   * loading for ever.
   */
  refusal: RealtimeError | undefined;
  readonly refusals = new Listeners<RealtimeError | undefined>();
  /** Holders that only watch (`<crm-presence watch>`), of all the room's holders. */
  watchers = 0;
  /**
   * Joined as a watcher, without presence there: only while every holder watches, so a record's
   * form on the page makes the user present however many list rows watch it.
   */
  watch?: boolean;
  /**
   * Presence last sent for this room (JSON), to skip redundant frames; undefined when the server
   * may not have it (the next `presenceFrame` sends it again).
   */
  sentPresence: string | undefined;
  /** When the last presence frame went (client clock), to tell which one a drop may have hit. */
  presenceSentAt: number | undefined;
  readonly store: PresenceStore;

  constructor(
    readonly name: string,
    host: PresenceStoreHost,
  ) {
    this.store = new PresenceStore(name, host);
  }

  /** The `join` frame for a (re)join: resumes from `lastSeq` and carries the current presence. */
  joinFrame(id: string, presence: PresenceState): ClientFrame {
    this.joinId = id;
    this.joined = false;
    this.sentPresence = JSON.stringify(presence);
    const frame: ClientFrame = { type: 'join', id, room: this.name, presence };
    if (this.watch) frame.watch = true;
    if (this.lastSeq !== undefined) frame.since = this.lastSeq;
    return frame;
  }

  /**
   * Apply `joined`, after handing over (`deliver`) what was held for a replay; false when it
   * answers a join this room no longer waits for.
   */
  applyJoined(frame: JoinedFrame, deliver: (event: EventFrame) => void): boolean {
    if (this.joinId !== frame.replyTo) return false;
    const held = this.held;
    this.held = this.joinId = undefined;
    // The replay and the live events sent before the server took the join, in order, once each;
    // after a gap, nothing of before it (the stores read again).
    if (held && frame.resume === 'replayed') {
      held.sort((a, b) => a.seq - b.seq);
      // A replay that did not fill the hole: the server left the event out for this user.
      this.leavesOut ||= held[0]!.seq > this.lastSeq! + 1;
      for (const event of held) if (this.acceptEvent(event.seq)) deliver(event);
    }
    this.joined = true;
    this.refusedJoins = 0;
    // Replayed events came before `joined` and moved lastSeq already. After a gap (or a server
    // that restarted and counts from 0 again) the server's number is the truth.
    this.lastSeq = frame.resume === 'replayed' ? Math.max(this.lastSeq ?? 0, frame.seq) : frame.seq;
    this.store.replace(frame.people, frame.total);
    this.refuse(undefined);
    return true;
  }

  /** The join was refused for good (an error), or a later one succeeded (undefined). */
  refuse(error: RealtimeError | undefined): void {
    if (!this.refusal && !error) return;
    this.refusal = error;
    if (error) this.store.refuse(error.code, error.message);
    this.refusals.emit(error);
  }

  /** Accept a sequenced event once: false for duplicates and events before the first join. */
  acceptEvent(seq: number): boolean {
    // Before the first `joined` there is no last seq, and the comparison is false.
    if (!(seq > this.lastSeq!)) return false;
    this.lastSeq = seq;
    return true;
  }

  /** The presence frame to send, or undefined when not joined, watching or nothing changed. */
  presenceFrame(presence: PresenceState): ClientFrame | undefined {
    if (!this.joined || this.watch) return undefined;
    const key = JSON.stringify(presence);
    if (key === this.sentPresence) return undefined;
    this.sentPresence = key;
    return { type: 'presence', room: this.name, state: presence };
  }

  /** The connection dropped: the server forgot this membership. */
  disconnected(): void {
    this.joined = false;
    this.joinId = undefined;
    this.sentPresence = undefined;
  }

  /** Was a join sent that a `leave` must undo? */
  get needsLeave(): boolean {
    return this.joined || this.joinId !== undefined;
  }
}
