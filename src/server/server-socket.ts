/**
 * The server's WebSocket: ws's own class, which also keeps in a plain field whether it is open.
 *
 * A broadcast writes pre-framed bytes straight to the TCP socket (`Connection.writePrepared`),
 * past ws's Sender, so it must stop the moment ws leaves OPEN: ws writes its close frame then
 * (when this server closes, or when the peer's close frame or a protocol error makes ws close),
 * and nothing may follow a close frame. ws changes state in a dozen places, most of them inside
 * its own module (the peer's close frame, the socket's end, error or close); every one of them
 * assigns `_readyState`, so an accessor there sees them all, at the moment they happen, and
 * `open` follows. The fan-out then tests one boolean per delivery rather than asking ws.
 */
import { WebSocket } from 'ws';

export class ServerSocket extends WebSocket {
  /** True exactly while `readyState` is OPEN: frames may be written. */
  declare open: boolean;
  /** ws's state, behind the accessor below. */
  declare private phase: number;
}

// On the prototype, before any instance exists: ws's constructor assigns `_readyState`
// (CONNECTING), so every instance gets both fields, in the same order, from its first state on.
Object.defineProperty(ServerSocket.prototype, '_readyState', {
  get(this: { phase: number }): number {
    return this.phase;
  },
  set(this: { phase: number; open: boolean }, state: number): void {
    this.phase = state;
    this.open = state === WebSocket.OPEN;
  },
  configurable: true,
});
