/**
 * Coalesces broadcast writes per socket and event-loop turn.
 *
 * The `writev` system call is most of a delivery's cost. The first frame a socket gets in a turn
 * is written at once (no added latency, nothing to pay when turns carry one message each, the
 * common case). From the second frame in the same turn on, the socket is corked and the rest
 * leaves in one `writev` when the turn ends: a burst of events, or an event and a presence diff,
 * costs one system call per socket instead of one per frame.
 *
 * ws's own writes on a corked socket are corked along with ours, so frame order is unchanged.
 * A room's frames handled in one run of the event loop arrive here already joined into one
 * write (fan-out.ts); what this batch corks are later runs' frames in the same turn.
 */
export interface Holdable {
  /** Uncorks the socket; called once at the end of a turn in which it was corked. */
  release(): void;
}

export class WriteBatch {
  /** Increases at the end of every turn in which something was written. */
  turn = 0;
  private held: Holdable[] = [];
  private scheduled = false;

  constructor(private readonly defer: (fn: () => void) => void = (fn) => void setImmediate(fn)) {}

  /** Notes that a write happened in this turn, so the turn's end is observed. */
  touch(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    this.defer(this.endTurn);
  }

  /** Remembers a connection whose socket was just corked. */
  hold(connection: Holdable): void {
    this.held.push(connection);
    this.touch();
  }

  readonly endTurn = (): void => {
    this.scheduled = false;
    this.turn++;
    const held = this.held;
    this.held = [];
    for (let i = 0; i < held.length; i++) held[i]!.release();
  };
}
