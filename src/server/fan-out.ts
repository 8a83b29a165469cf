/**
 * Writing a room's frames to its members: the frames of one synchronous run go out together.
 *
 * A server that falls behind reads several messages at once (two publishes in one read from a
 * socket, a burst from Redis), and handles them one after the other in the same run of the
 * event loop. Written as each is handled, every member's socket gets a system call per message,
 * and that call is most of what a delivery costs. So a room's frames wait until the run ends (a
 * microtask) and leave in one write per socket, of the frames' bytes joined once for all
 * members. A server keeping up handles one message per run, and writes it as before, only
 * after the handler's synchronous part instead of in its middle.
 *
 * Order is kept for every socket: frames for other recipients (another room, a member that
 * joined meanwhile), a private signal, or any other write to a connection first write what
 * waits (`flushFanOut`), so nothing overtakes a frame sent before it.
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

interface Waiting {
  /** A room's joined recipients as they were when the first frame came (arrays are copied on change). */
  readonly recipients: readonly Recipient[];
  readonly frames: PreparedFrame[];
  readonly metrics: ServerMetrics;
}

/** The frames waiting for the end of the run; one set of recipients at a time. */
let waiting: Waiting | undefined;
let scheduled = false;

const endOfRun = (): void => {
  scheduled = false;
  const run = waiting;
  if (run === undefined) return;
  waiting = undefined;
  try {
    write(run);
  } catch {
    // Writes do not throw (a closed socket drops them); were one to, a microtask's exception
    // would take the process down, where the publisher's handler would have caught it.
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
    if (waiting.recipients === recipients) {
      waiting.frames.push(frame);
      return;
    }
    flushFanOut();
  }
  waiting = { recipients, frames: [frame], metrics };
  if (!scheduled) {
    scheduled = true;
    queueMicrotask(endOfRun);
  }
}

/** Writes what waits for the end of the run now: before any other write, so it keeps its place. */
export function flushFanOut(): void {
  const run = waiting;
  if (run === undefined) return;
  waiting = undefined;
  write(run);
}

function write({ recipients, frames, metrics }: Waiting): void {
  let delivered = 0;
  if (frames.length === 1) {
    const frame = frames[0]!;
    for (let i = 0; i < recipients.length; i++) {
      if (recipients[i]!.writePrepared(frame)) delivered++;
    }
  } else {
    const run = new FrameRun(frames);
    for (let i = 0; i < recipients.length; i++) delivered += recipients[i]!.writeRun(run);
  }
  metrics.broadcastDeliveries += delivered;
  metrics.framesOut += delivered;
}
