/**
 * Holds broadcast writes until the end of the event-loop turn, so that several frames bound for
 * one socket in the same turn (a burst of events, an event and a presence diff) leave in one
 * `writev` system call instead of one call each. The system call is most of a delivery's cost.
 *
 * Implemented with `socket.cork()`; ws's own writes on a held socket are corked along with ours,
 * so frame order is unchanged.
 */
export interface Holdable {
  /** Uncorks the socket; called once per turn for each held connection. */
  release(): void;
}

export class WriteBatch {
  private held: Holdable[] = [];
  private scheduled = false;

  constructor(private readonly defer: (fn: () => void) => void = (fn) => void setImmediate(fn)) {}

  /** Remembers a connection whose socket was just corked. */
  hold(connection: Holdable): void {
    this.held.push(connection);
    if (this.scheduled) return;
    this.scheduled = true;
    this.defer(this.flush);
  }

  readonly flush = (): void => {
    this.scheduled = false;
    const held = this.held;
    this.held = [];
    for (let i = 0; i < held.length; i++) held[i]!.release();
  };
}
