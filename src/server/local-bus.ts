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
  /** How often idle rooms are forgotten. Default: `replayMillis`. */
  sweepMillis?: number;
}

interface RoomState {
  log: RoomLog;
  sinks: BusSink[];
}

export class LocalBus implements Bus {
  private readonly rooms = new Map<string, RoomState>();
  private readonly stopSweep: () => void;

  constructor(private readonly options: LocalBusOptions) {
    this.stopSweep = every(options.clock, options.sweepMillis ?? options.replayMillis, () =>
      this.sweep(),
    );
  }

  get roomCount(): number {
    return this.rooms.size;
  }

  subscribe(room: string, sink: BusSink): () => void {
    const state = this.state(room);
    // A fresh array on change, so a delivery in progress iterates a stable list.
    state.sinks = [...state.sinks, sink];
    return () => {
      state.sinks = state.sinks.filter((s) => s !== sink);
      state.log.lastActivityAt = Math.max(state.log.lastActivityAt, this.options.clock.now());
    };
  }

  publish(room: string, input: RoomEventInput): Promise<number> {
    const state = this.state(room);
    const at = this.options.clock.now();
    let message: BusMessage & { seq: number };
    try {
      message = state.log.append(at, (seq) => this.eventFrame(room, seq, at, input));
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
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
      this.deliver(state.sinks, { seq: undefined, frame: PreparedFrame.of(frame) });
    }
    return Promise.resolve();
  }

  resume(room: string, since: number | undefined): Promise<ResumePoint> {
    const { log } = this.state(room);
    const seq = log.head;
    if (since === undefined) return Promise.resolve({ seq, resume: 'none', missed: 0, events: [] });
    const window = log.after(since, this.options.clock.now());
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
      const log = new RoomLog(now, now, this.options.replayEvents, this.options.replayMillis);
      state = { log, sinks: [] };
      this.rooms.set(room, state);
    }
    return state;
  }

  /** Forgets rooms with no subscribers whose last event is older than the replay window. */
  private sweep(): void {
    const cutoff = this.options.clock.now() - this.options.replayMillis;
    for (const [room, state] of this.rooms) {
      if (state.sinks.length === 0 && state.log.lastActivityAt < cutoff) this.rooms.delete(room);
    }
  }
}
