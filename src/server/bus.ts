/**
 * The bus sequences room events and fans frames out to every process that has members in a room.
 *
 * The core never assumes one process owns a room: it subscribes its local members through the bus,
 * publishes through the bus, and asks the bus where a resuming client stands. `LocalBus` serves a
 * single process; a Redis implementation (shared `INCR` sequence, a capped stream for replay,
 * pub/sub for fan-out) fits the same interface.
 *
 * Messages carry a `PreparedFrame`: serialized and framed once per process, written as-is to every
 * local member.
 */
import type { JoinedFrame, ServerFrame } from '../protocol/index.js';
import type { PreparedFrame } from './wire.js';

export interface BusMessage {
  /** Room sequence number of an `event` frame; undefined for unsequenced frames (presence). */
  readonly seq: number | undefined;
  readonly frame: PreparedFrame;
  /** User id of the one person a `signal` frame is for; undefined: every member. */
  readonly to?: string | undefined;
}

export type BusSink = (message: BusMessage) => void;

export interface RoomEventInput {
  event: string;
  payload: unknown;
  /** User id of the sender, if a user sent it. */
  from?: string | undefined;
}

/** What a joining connection must be sent before `joined`, and what `joined` says. */
export interface ResumePoint {
  /** The room's sequence number; live events after `joined` have larger numbers. */
  seq: number;
  resume: JoinedFrame['resume'];
  /** Events after `since` (replayed, or lost in a gap). */
  missed: number;
  /** Events to send before `joined` (empty unless `resume` is `replayed`). */
  events: readonly BusMessage[];
}

/** The event's frame would exceed the protocol's frame size; it was not published. */
export class EventTooLargeError extends Error {
  override name = 'EventTooLargeError';
}

export interface Bus {
  /** Deliver the room's messages to `sink` on this process until the returned function is called. */
  subscribe(room: string, sink: BusSink): () => void;
  /**
   * Sequence an event, keep it for replay and deliver it to every subscriber. Resolves to its seq;
   * rejects with `EventTooLargeError` when the event frame would be larger than clients accept.
   */
  publish(room: string, input: RoomEventInput): Promise<number>;
  /** Deliver an unsequenced frame (a presence diff) to every subscriber. */
  broadcast(room: string, frame: ServerFrame): Promise<void>;
  /**
   * An event of `room` that stands for something already stored (a committed entity change)
   * could not be published: its members must not carry on without it. The bus makes them resume
   * and get `gap`, here and on every process. Absent: publishing cannot fail that way (one
   * process, in memory).
   */
  eventLost?(room: string): void;
  /**
   * Called before committing something the caller will then publish to `room` (an entity
   * change): records, where the other processes can see it, that this process owes the room an
   * event, so that if it dies between its commit and its publish the process that finds it dead
   * makes the room's members resume (`gap`) instead of leaving them stale. Resolves to the function
   * that clears the record, called once the event was published (or there was nothing to publish,
   * or `eventLost` took over); rejects when the record cannot be made (Redis unavailable), and
   * then nothing may be committed. Absent: one process, whose death takes its members with it.
   */
  willPublish?(room: string): Promise<() => void>;
  /** The room's current sequence number and, given `since`, the events a client missed. */
  resume(room: string, since: number | undefined): Promise<ResumePoint>;
  /** Rooms this process holds state for (subscriptions or replay logs). */
  readonly roomCount: number;
  close(): Promise<void>;
}
