/**
 * One socket of a conformance check, over any WebSocket with the browser's API (Node's global
 * `WebSocket`, or the `ws` package's, which has the same events): keeps every frame as the
 * server wrote it, next to its parsed form, and waits for frames and for the close, each wait
 * bounded so a missing frame fails with what did arrive.
 */
import { parseServerFrame, type FrameOf, type ServerFrame } from '../protocol/index.js';

/** What a check needs of a WebSocket: the browser's API, which Node's and `ws`'s both have. */
export interface ConformanceSocket {
  send(data: string | Uint8Array): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: 'open' | 'error', listener: () => void): void;
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
  addEventListener(
    type: 'close',
    listener: (event: { code: number; reason: string }) => void,
  ): void;
}

export type OpenSocket = (url: string) => ConformanceSocket;

export interface Closed {
  code: number;
  reason: string;
}

/** A frame as the server wrote it (the parsed form drops fields the schema does not know). */
export type RawFrame = Record<string, unknown>;

export class Peer {
  /** Frames that passed the protocol's `ServerFrame` schema, parsed. */
  readonly frames: ServerFrame[] = [];
  /** The same frames as written, index for index. */
  readonly raw: RawFrame[] = [];
  /** Frames that failed the schema (a browser client drops them): a check fails on any. */
  readonly invalid: string[] = [];
  readonly closed: Promise<Closed>;
  /** The `welcome` this socket's hello got, once it has. */
  welcome: FrameOf<ServerFrame, 'welcome'> | undefined;
  private waiters: {
    test: (f: ServerFrame) => boolean;
    resolve: (index: number) => void;
    /** The socket closed: no frame can come any more. */
    closed: (closed: Closed) => void;
  }[] = [];
  private isClosed = false;
  private closedWith: Closed | undefined;

  private constructor(
    readonly socket: ConformanceSocket,
    private readonly waitMs: number,
  ) {
    socket.addEventListener('message', ({ data }) => {
      if (typeof data !== 'string') {
        this.invalid.push('(a binary frame: the protocol has text frames only)');
        return;
      }
      const parsed = parseServerFrame(data, Infinity);
      if (!parsed.ok) {
        this.invalid.push(`${data.slice(0, 300)} (${parsed.message})`);
        return;
      }
      // A server pings and drops silent sockets: answered as the browser client answers.
      if (parsed.frame.type === 'ping') {
        const t = parsed.frame.t;
        socket.send(JSON.stringify({ type: 'pong', ...(t !== undefined ? { t } : {}) }));
      }
      this.frames.push(parsed.frame);
      this.raw.push(JSON.parse(data) as RawFrame);
      const index = this.frames.length - 1;
      this.waiters = this.waiters.filter((w) => {
        if (!w.test(parsed.frame)) return true;
        w.resolve(index);
        return false;
      });
    });
    this.closed = new Promise((resolve) => {
      socket.addEventListener('close', ({ code, reason }) => {
        this.isClosed = true;
        this.closedWith = { code, reason };
        resolve({ code, reason });
        // What is still awaited fails now, with the close: a server that closes at once would
        // otherwise cost every check the whole wait for a frame that cannot come.
        const waiting = this.waiters;
        this.waiters = [];
        for (const w of waiting) w.closed({ code, reason });
      });
    });
  }

  /** Opens a socket to `url`; fails with the reason when the server does not accept it. */
  static open(openSocket: OpenSocket, url: string, waitMs: number): Promise<Peer> {
    return new Promise((resolve, reject) => {
      let socket: ConformanceSocket;
      try {
        socket = openSocket(url);
      } catch (error) {
        reject(new Error(`cannot open ${url}: ${(error as Error).message}`));
        return;
      }
      const peer = new Peer(socket, waitMs);
      const timer = setTimeout(() => {
        reject(new Error(`the WebSocket to ${url} did not open within ${waitMs} ms`));
        socket.close();
      }, waitMs);
      socket.addEventListener('open', () => {
        clearTimeout(timer);
        resolve(peer);
      });
      socket.addEventListener('error', () => {
        clearTimeout(timer);
        reject(new Error(`the WebSocket to ${url} failed to open (refused, or not a WebSocket)`));
      });
    });
  }

  send(frame: Record<string, unknown>): void {
    this.socket.send(JSON.stringify(frame));
  }

  sendRaw(data: string | Uint8Array): void {
    this.socket.send(data);
  }

  /** The raw form of the first frame, received or to come, that matches. */
  async next(test: (f: ServerFrame) => boolean, what = 'matching frame'): Promise<RawFrame> {
    const seen = this.frames.findIndex(test);
    if (seen >= 0) return this.raw[seen]!;
    return this.raw[await this.upcoming(test, what)]!;
  }

  /** The answer to the request `id`, parsed, which must be of type `type`. */
  async answer<T extends ServerFrame['type']>(
    id: string,
    type: T,
  ): Promise<FrameOf<ServerFrame, T>> {
    await this.next((f) => 'replyTo' in f && f.replyTo === id, `answer to request "${id}"`);
    const frame = this.frames.find((f) => 'replyTo' in f && f.replyTo === id)!;
    if (frame.type !== type) {
      throw new Error(`request "${id}" was answered ${describe(frame)}, not with ${type}`);
    }
    return frame as FrameOf<ServerFrame, T>;
  }

  /** The `error` frame with `code`, as the server wrote it. */
  async error(
    code: string,
  ): Promise<{ type: 'error'; code: string; message: string; replyTo?: string; room?: string }> {
    const frame = await this.next((f) => f.type === 'error' && f.code === code, `error "${code}"`);
    return frame as never;
  }

  /** Where a frame is among those received (order checks). */
  indexOf(test: (f: ServerFrame) => boolean): number {
    return this.frames.findIndex(test);
  }

  /** Everything the server sent before answering this ping has arrived when it resolves. */
  async sync(): Promise<void> {
    const t = Math.floor(Math.random() * 1e9);
    this.send({ type: 'ping', t });
    await this.upcoming((f) => f.type === 'pong' && f.t === t, `pong to a ping with t ${t}`);
  }

  async waitClosed(): Promise<Closed> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`the socket is still open after ${this.waitMs} ms${this.last()}`)),
        this.waitMs,
      );
    });
    try {
      return await Promise.race([this.closed, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Ends the socket without a closing handshake where the socket can, as a dead network does. */
  drop(): void {
    const socket = this.socket as ConformanceSocket & { terminate?: () => void };
    if (typeof socket.terminate === 'function') socket.terminate();
    else socket.close();
  }

  close(): void {
    if (!this.isClosed) this.socket.close();
  }

  private upcoming(test: (f: ServerFrame) => boolean, what: string): Promise<number> {
    return new Promise((resolve, reject) => {
      const closed = ({ code, reason }: Closed): void => {
        clearTimeout(timer);
        const why = reason ? ` "${reason}"` : '';
        reject(
          new Error(`the server closed the socket (${code}${why}) before ${what}${this.last()}`),
        );
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w.resolve !== done);
        reject(new Error(`no ${what} within ${this.waitMs} ms${this.last()}`));
      }, this.waitMs);
      const done = (index: number): void => {
        clearTimeout(timer);
        resolve(index);
      };
      if (this.closedWith) return closed(this.closedWith);
      this.waiters.push({ test, resolve: done, closed });
    });
  }

  /** The last frames received, for a failure's reason. */
  private last(): string {
    const parts: string[] = [];
    if (this.raw.length > 0) {
      parts.push(`last frames: ${this.raw.slice(-3).map(describe).join(', ')}`);
    } else {
      parts.push('no valid frame received');
    }
    if (this.invalid.length > 0) {
      parts.push(`frames failing the schema: ${this.invalid.slice(-2).join(', ')}`);
    }
    return `; ${parts.join('; ')}`;
  }
}

/** A frame, shortened for a one-line reason. */
export function describe(frame: unknown): string {
  const text = JSON.stringify(frame) ?? String(frame);
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}
