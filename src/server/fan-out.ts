/**
 * Writing a room's frames to its members: the frames of one synchronous run go out together.
 *
 * A server that falls behind reads several messages at once (two publishes in one read from a
 * socket, a burst from Redis), and handles them one after the other in the same run of the
 * event loop. Written as each is handled, every member's socket gets a system call per message,
 * and that call is most of what a delivery costs. So a room's frames wait until the run ends
 * (its promise callbacks done, see `afterPromises`) and leave in one write per socket, of the
 * frames' bytes joined once for all members. A server keeping up handles one message per run,
 * and writes it as before, only after the handler's promise callbacks instead of in its middle.
 *
 * Order is kept for every socket: frames for other recipients (another room, a member that
 * joined meanwhile) or a private signal first write what waits (`flushFanOut`), and any other
 * write to a connection first writes what waits for it (`catchUp`), so nothing overtakes a
 * frame sent before it.
 */
import type { ServerMetrics } from './metrics.js';
import type { PreparedFrame } from './wire.js';

/** The side of a connection a room writes to. */
export interface Recipient {
  /** Writes an already framed message; returns false when the socket is not writable. */
  writePrepared(frame: PreparedFrame): boolean;
  /** Writes every frame of a run, in order; returns how many it delivered (see writePrepared). */
  writeRun(run: FrameRun): number;
  /** Drops a recipient that cannot keep up. */
  dropSlowConsumer(): void;
  /** Who is connected, once authenticated; an addressed message (`to`) reaches only that user. */
  readonly user?: { readonly id: string } | undefined;
}

/** Several frames for the same recipients, in order. */
export class FrameRun {
  private joined: Buffer | undefined = undefined;

  constructor(readonly frames: readonly PreparedFrame[]) {}

  /** The frames' bytes back to back: joined once, on first use, and written to every socket. */
  get framed(): Buffer {
    if (this.joined === undefined) {
      const { frames } = this;
      let length = 0;
      for (let i = 0; i < frames.length; i++) length += frames[i]!.framed.byteLength;
      const joined = Buffer.allocUnsafe(length);
      let at = 0;
      for (let i = 0; i < frames.length; i++) at += frames[i]!.framed.copy(joined, at);
      this.joined = joined;
    }
    return this.joined;
  }
}

/** A recipient written to directly while a run waited, and how many of its frames it got then. */
interface Early {
  readonly recipient: Recipient;
  done: number;
}

interface Waiting {
  /** The room's recipients when the run began (copied on change): its later frames join the run. */
  readonly key: readonly Recipient[];
  /** Who gets the whole run at its end: `key`, less those in `early`. */
  targets: readonly Recipient[];
  early: Early[] | undefined;
  readonly frames: PreparedFrame[];
  readonly metrics: ServerMetrics;
}

/** The frames waiting for the end of the run; one set of recipients at a time. */
let waiting: Waiting | undefined;
let scheduled = false;

/**
 * The run ends once the promise callbacks it started have run: a handler's `await` on a bus that
 * answers at once, and the next frame of the same socket (a session handles its frames one at a
 * time, the next once the previous handler's promise settles) are part of it. A tick queued from
 * a promise callback runs once no promise callback is left.
 */
const afterPromises = (): void => process.nextTick(endOfRun);

const endOfRun = (): void => {
  scheduled = false;
  const run = waiting;
  if (run === undefined) return;
  waiting = undefined;
  try {
    write(run);
  } catch {
    // Writes do not throw (a closed socket drops them); were one to, an exception here would
    // take the process down, where the publisher's handler would have caught it.
    run.metrics.handlerFailures++;
  }
};

/** Sends `frame` to `recipients` with the other frames of this run that have the same ones. */
export function fanOut(
  recipients: readonly Recipient[],
  frame: PreparedFrame,
  metrics: ServerMetrics,
): void {
  if (waiting !== undefined) {
    if (waiting.key === recipients) {
      waiting.frames.push(frame);
      return;
    }
    flushFanOut();
  }
  waiting = { key: recipients, targets: recipients, early: undefined, frames: [frame], metrics };
  if (!scheduled) {
    scheduled = true;
    queueMicrotask(afterPromises);
  }
}

/** Writes what waits now, to everyone: before frames for other recipients, so order holds. */
export function flushFanOut(): void {
  const run = waiting;
  if (run === undefined) return;
  waiting = undefined;
  write(run);
}

/**
 * Before anything else is written to `recipient` (a reply, `joined`, a close frame), the frames
 * waiting for it are written, so nothing overtakes a frame sent before it; the others still
 * wait for the end of the run. (The publisher's own `ack` is one: it would otherwise end every
 * run after its first frame.)
 */
export function catchUp(recipient: Recipient): void {
  const run = waiting;
  if (run === undefined) return;
  let entry: Early | undefined;
  const early = run.early;
  if (early !== undefined) {
    for (let i = 0; i < early.length; i++) {
      if (early[i]!.recipient === recipient) entry = early[i];
    }
  }
  if (entry === undefined) {
    if (!run.targets.includes(recipient)) return;
    run.targets = run.targets.filter((r) => r !== recipient);
    entry = { recipient, done: 0 };
    if (early === undefined) run.early = [entry];
    else early.push(entry);
  }
  const { frames } = run;
  const from = entry.done;
  entry.done = frames.length; // first: the writes below call back here
  let delivered = 0;
  for (let i = from; i < frames.length; i++) if (recipient.writePrepared(frames[i]!)) delivered++;
  run.metrics.broadcastDeliveries += delivered;
  run.metrics.framesOut += delivered;
}

function write({ targets, early, frames, metrics }: Waiting): void {
  let delivered = 0;
  if (frames.length === 1) {
    const frame = frames[0]!;
    for (let i = 0; i < targets.length; i++) {
      if (targets[i]!.writePrepared(frame)) delivered++;
    }
  } else {
    const run = new FrameRun(frames);
    for (let i = 0; i < targets.length; i++) delivered += targets[i]!.writeRun(run);
  }
  if (early !== undefined) {
    for (const { recipient, done } of early) {
      for (let i = done; i < frames.length; i++)
        if (recipient.writePrepared(frames[i]!)) delivered++;
    }
  }
  metrics.broadcastDeliveries += delivered;
  metrics.framesOut += delivered;
}
