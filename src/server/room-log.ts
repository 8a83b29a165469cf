/**
 * One room's sequence counter and its bounded replay buffer (count, bytes and age), used for
 * resume.
 */
import type { PreparedFrame } from './wire.js';

export interface LoggedEvent {
  readonly seq: number;
  readonly at: number;
  readonly frame: PreparedFrame;
}

export type ReplayWindow =
  { covered: true; events: LoggedEvent[] } | { covered: false; missed: number };

export class RoomLog {
  /**
   * The kept events, oldest at `start`. Grown as events come, up to `capacity`, and let go when
   * the log empties: a room costs its events, not `capacity` slots. Every join makes a room, and
   * a client joining and leaving room after room would otherwise leave a full-size ring behind
   * for each until the sweep forgets it (some 8 KB a room, thousands a minute per connection).
   */
  private ring: (LoggedEvent | undefined)[] = [];
  private start = 0;
  private size = 0;
  private seq: number;
  /** Framed bytes of the events kept. */
  private kept = 0;
  /** Last time an event was appended (or the log was created). */
  lastActivityAt: number;

  /**
   * @param base sequence number before the first event: the first event gets `base + 1`.
   * @param maxBytes framed bytes kept at most; the oldest events go first (the newest is always
   *   kept, so a resume just after it still works).
   */
  constructor(
    private readonly base: number,
    now: number,
    private readonly capacity: number,
    private readonly maxAgeMs: number,
    private readonly maxBytes = Infinity,
  ) {
    this.seq = base;
    this.lastActivityAt = now;
  }

  /** The sequence number of the last event. */
  get head(): number {
    return this.seq;
  }

  /** Framed bytes of the events kept for replay. */
  get bytes(): number {
    return this.kept;
  }

  /** When the oldest kept event was appended; undefined with none kept. */
  get oldestAt(): number | undefined {
    return this.size > 0 ? this.ring[this.start]?.at : undefined;
  }

  /** Forgets the oldest kept event; resolves to the bytes it freed (0 with none kept). */
  dropOldest(): number {
    if (this.size === 0) return 0;
    const first = this.ring[this.start];
    this.ring[this.start] = undefined;
    this.start = (this.start + 1) % this.ring.length;
    this.size--;
    const freed = first?.frame.byteLength ?? 0;
    this.kept -= freed;
    return freed;
  }

  /**
   * Assigns the next sequence number, builds the event's frame with it and keeps it. If `build`
   * throws, nothing is taken: the number goes to the next event.
   */
  append(at: number, build: (seq: number) => PreparedFrame): LoggedEvent {
    const seq = this.seq + 1;
    const event: LoggedEvent = { seq, at, frame: build(seq) };
    this.seq = seq;
    this.lastActivityAt = at;
    if (this.capacity === 0) return event;
    if (this.size === this.capacity) this.dropOldest();
    else if (this.size === this.ring.length) this.grow();
    this.ring[(this.start + this.size) % this.ring.length] = event;
    this.size++;
    this.kept += event.frame.byteLength;
    while (this.kept > this.maxBytes && this.size > 1) this.dropOldest();
    return event;
  }

  /** Forgets events older than the age limit. */
  trim(now: number): void {
    const oldest = now - this.maxAgeMs;
    while (this.size > 0) {
      const first = this.ring[this.start];
      if (first && first.at >= oldest) break;
      this.dropOldest();
    }
    if (this.size === 0) this.release();
  }

  /** A full ring made larger (twice, within `capacity`), its events in order from slot 0. */
  private grow(): void {
    const ring = this.ring;
    const next = new Array<LoggedEvent | undefined>(
      Math.min(this.capacity, Math.max(8, ring.length * 2)),
    );
    for (let i = 0; i < this.size; i++) next[i] = ring[(this.start + i) % ring.length];
    this.ring = next;
    this.start = 0;
  }

  /** An empty log lets its slots go. */
  private release(): void {
    this.ring = [];
    this.start = 0;
  }

  /** Events after `since`, if the buffer still holds all of them. */
  after(since: number, now: number): ReplayWindow {
    this.trim(now);
    // A `since` outside this log's range (from before a restart, or before the room was forgotten
    // and created again) says nothing about how many events were missed: 0, not `seq - since`,
    // which would count the milliseconds between the two ranges' starts.
    if (since > this.seq || since < this.base) return { covered: false, missed: 0 };
    const firstKept = this.seq - this.size + 1;
    if (since + 1 < firstKept) return { covered: false, missed: this.seq - since };
    const events: LoggedEvent[] = [];
    for (let i = since + 1 - firstKept; i < this.size; i++) {
      const event = this.ring[(this.start + i) % this.ring.length];
      if (event) events.push(event);
    }
    return { covered: true, events };
  }
}
