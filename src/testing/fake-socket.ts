/**
 * The client's end of an in-memory connection to the `FakeServer`: a `SocketLike` that behaves
 * like the browser's `WebSocket` (asynchronous open, message and close; `send` while connecting
 * throws; `send` after close is dropped).
 */
import type { SocketLike } from '../client/types.js';

export const CONNECTING = 0;
export const OPEN = 1;
export const CLOSING = 2;
export const CLOSED = 3;

/** What the fake socket needs from its server. */
export interface FakeSocketPeer {
  /** The client sent a frame (validated by the peer). */
  clientSent(socket: FakeSocket, text: string): void;
  /** The client closed the socket. */
  clientClosed(socket: FakeSocket, code: number, reason: string): void;
  /** Run `fn` after the network latency. */
  deliver(fn: () => void): void;
}

export class FakeSocket implements SocketLike {
  readyState = CONNECTING;
  onopen: ((ev: unknown) => void) | null = null;
  onmessage: ((ev: { data: unknown }) => void) | null = null;
  onclose: ((ev: { code: number; reason: string }) => void) | null = null;
  onerror: ((ev: unknown) => void) | null = null;

  constructor(
    readonly url: string,
    private readonly peer: FakeSocketPeer,
  ) {}

  send(data: string): void {
    if (this.readyState === CONNECTING) {
      throw new Error(
        "InvalidStateError: Failed to execute 'send' on 'WebSocket': still CONNECTING",
      );
    }
    if (this.readyState !== OPEN) return; // like the browser: silently dropped
    this.peer.clientSent(this, data);
  }

  close(code = 1000, reason = ''): void {
    if (this.readyState === CLOSING || this.readyState === CLOSED) return;
    this.readyState = CLOSING;
    this.peer.clientClosed(this, code, reason);
    this.peer.deliver(() => this.closed(code, reason));
  }

  // --- driven by the server -----------------------------------------------------------------

  /** @internal */
  opened(): void {
    if (this.readyState !== CONNECTING) return;
    this.readyState = OPEN;
    this.onopen?.({ type: 'open' });
  }

  /** @internal */
  message(text: string): void {
    if (this.readyState === OPEN) this.onmessage?.({ data: text });
  }

  /** @internal The connection ended (server close, network drop, refused). */
  closed(code: number, reason: string): void {
    if (this.readyState === CLOSED) return;
    this.readyState = CLOSED;
    if (code === 1006) this.onerror?.({ type: 'error' });
    this.onclose?.({ code, reason });
  }
}
