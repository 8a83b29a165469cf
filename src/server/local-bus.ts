/**
 * The single-process bus: sequence numbers, replay logs and fan-out in memory.
 */
import type { EventFrame } from '../protocol/index.js';
import {
  EventTooLargeError,
  type Bus,
  type BusMessage,
  type BusSink,
  type ResumePoint,
  type RoomEventInput,
} from './bus.js';
import { every, type ServerClock } from './clock.js';
import { RoomLog } from './room-log.js';
import { PreparedFrame } from './wire.js';
import type { ServerFrame } from '../protocol/index.js';

export interface LocalBusOptions {
  clock: ServerClock;
  /** Events kept per room for resume. */
  replayEvents: number;
  /** Age after which events are no longer replayed. */
  replayMillis: number;
  /** Largest event frame clients accept. */
  maxFrameBytes: number;
  /** Framed bytes of events kept per room for resume. Default: unbounded (events and age only). */
  replayRoomBytes?: number;
  /**
   * Framed bytes of events kept for resume across all rooms; beyond it the oldest events of any
   * room go first. Default: unbounded.
   */
  replayTotalBytes?: number;
  /** How often idle rooms are forgotten. Default: `replayMillis`. */
  sweepMillis?: number;
  /**
   * Rooms without subscribers kept for resume at most; past it the longest idle are forgotten
   * before the sweep (a member resuming one gets `gap`). Default, or 0: unbounded.
   */
  maxIdleRooms?: number;
}

interface RoomState {
  log: RoomLog;
  sinks: BusSink[];
}

export class LocalBus implements Bus {
  private readonly rooms = new Map<string, RoomState>();
  /**
   * The rooms without subscribers, longest idle first. Every join makes a room, and one user's
   * hundred connections joining and leaving distinct rooms made 2,200 a second, each kept about
   * 400 bytes until the sweep forgot it minutes later: hundreds of MB from one token.
   */
  private readonly idle = new Set<string>();
  private readonly stopSweep: () => void;
  /** Framed bytes kept for replay in all rooms' logs. */
  private keptBytes = 0;

  constructor(private readonly options: LocalBusOptions) {
    this.stopSweep = every(options.clock, options.sweepMillis ?? options.replayMillis, () =>
      this.sweep(),
    );
  }

  get roomCount(): number {
    return this.rooms.size;
  }

  /** Framed bytes kept for replay across all rooms. */
  get replayBytes(): number {
    return this.keptBytes;
  }

  subscribe(room: string, sink: BusSink): () => void {
    const state = this.state(room);
    // A fresh array on change, so a delivery in progress iterates a stable list.
    state.sinks = [...state.sinks, sink];
    this.idle.delete(room);
    return () => {
      const before = state.sinks.length;
      state.sinks = state.sinks.filter((s) => s !== sink);
      state.log.lastActivityAt = Math.max(state.log.lastActivityAt, this.options.clock.now());
      if (before > 0 && state.sinks.length === 0 && this.rooms.get(room) === state) {
        this.becameIdle(room);
      }
    };
  }

  publish(room: string, input: RoomEventInput): Promise<number> {
    const state = this.state(room);
    const at = this.options.clock.now();
    let message: BusMessage & { seq: number };
    const before = state.log.bytes;
    try {
      message = state.log.append(at, (seq) => this.eventFrame(room, seq, at, input));
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
    this.keptBytes += state.log.bytes - before;
    this.enforceTotal();
    this.deliver(state.sinks, message);
    return Promise.resolve(message.seq);
  }

  private eventFrame(room: string, seq: number, at: number, input: RoomEventInput): PreparedFrame {
    const frame: EventFrame = {
      type: 'event',
      room,
      seq,
      event: input.event,
      payload: input.payload as EventFrame['payload'],
      at,
    };
    if (input.from !== undefined) frame.from = input.from;
    const prepared = PreparedFrame.of(frame);
    if (prepared.payload.byteLength > this.options.maxFrameBytes) {
      throw new EventTooLargeError(`event frame exceeds ${this.options.maxFrameBytes} bytes`);
    }
    return prepared;
  }

  broadcast(room: string, frame: ServerFrame): Promise<void> {
    const state = this.rooms.get(room);
    if (state && state.sinks.length > 0) {
      const to = frame.type === 'signal' ? frame.to : undefined;
      this.deliver(state.sinks, { seq: undefined, frame: PreparedFrame.of(frame), to });
    }
    return Promise.resolve();
  }

  resume(room: string, since: number | undefined): Promise<ResumePoint> {
    const { log } = this.state(room);
    const seq = log.head;
    if (since === undefined) return Promise.resolve({ seq, resume: 'none', missed: 0, events: [] });
    const before = log.bytes;
    const window = log.after(since, this.options.clock.now());
    this.keptBytes += log.bytes - before;
    if (!window.covered) {
      return Promise.resolve({ seq, resume: 'gap', missed: window.missed, events: [] });
    }
    return Promise.resolve({
      seq,
      resume: 'replayed',
      missed: window.events.length,
      events: window.events,
    });
  }

  close(): Promise<void> {
    this.stopSweep();
    this.rooms.clear();
    this.idle.clear();
    this.keptBytes = 0;
    return Promise.resolve();
  }

  private deliver(sinks: readonly BusSink[], message: BusMessage): void {
    for (let i = 0; i < sinks.length; i++) sinks[i]!(message);
  }

  private state(room: string): RoomState {
    let state = this.rooms.get(room);
    if (!state) {
      const now = this.options.clock.now();
      // Sequences start at the creation time in ms rather than 0: if this process forgets an idle
      // room, or restarts, a client resuming with an old `since` lands below or above the new
      // range and gets an honest `gap` instead of a replay of unrelated events.
      const log = new RoomLog(
        now,
        now,
        this.options.replayEvents,
        this.options.replayMillis,
        this.options.replayRoomBytes,
      );
      state = { log, sinks: [] };
      this.rooms.set(room, state);
      // Idle until subscribed: a publish to a room nobody holds here makes one too.
      this.becameIdle(room);
    }
    return state;
  }

  /** `room` has no subscriber now; past the bound, the longest idle rooms are forgotten. */
  private becameIdle(room: string): void {
    const { idle } = this;
    idle.add(room);
    // 0: no ceiling, as every other limit. At least the room just made idle stays: a subscribe
    // may be about to hold it.
    const max = Math.max(1, this.options.maxIdleRooms || Infinity);
    while (idle.size > max) {
      const oldest = idle.values().next().value as string;
      idle.delete(oldest);
      const state = this.rooms.get(oldest);
      if (state === undefined || state.sinks.length > 0) continue;
      this.rooms.delete(oldest);
      this.keptBytes -= state.log.bytes;
    }
  }

  /**
   * Forgets rooms with no subscribers whose last event is older than the replay window, and the
   * expired events of the others, so their memory goes back without waiting for a resume.
   */
  private sweep(): void {
    const now = this.options.clock.now();
    const cutoff = now - this.options.replayMillis;
    for (const [room, state] of this.rooms) {
      const before = state.log.bytes;
      if (state.sinks.length === 0 && state.log.lastActivityAt < cutoff) {
        this.rooms.delete(room);
        this.idle.delete(room);
        this.keptBytes -= before;
        continue;
      }
      state.log.trim(now);
      this.keptBytes += state.log.bytes - before;
    }
  }

  /**
   * Past the total byte bound, drops the oldest kept event of any room until back under it. The
   * scan over rooms runs only while over the bound, i.e. when replay memory is what is scarce.
   */
  private enforceTotal(): void {
    const limit = this.options.replayTotalBytes ?? Infinity;
    while (this.keptBytes > limit) {
      let oldest: RoomLog | undefined;
      let oldestAt = Infinity;
      for (const { log } of this.rooms.values()) {
        const at = log.oldestAt;
        if (at !== undefined && at < oldestAt) {
          oldest = log;
          oldestAt = at;
        }
      }
      if (!oldest) break;
      this.keptBytes -= oldest.dropOldest();
    }
  }
}
