/**
 * A real `ws` client for server tests: says hello, collects every frame (validated with the
 * protocol's server schemas, so a test cannot pass on a frame a real client would reject), and
 * waits for frames or for the close, each wait bounded so a missing frame fails fast.
 */
import { request } from 'node:http';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { WebSocket, type ClientOptions } from 'ws';
import {
  PROTOCOL_VERSION,
  parseServerFrame,
  type ClientFrame,
  type FrameOf,
  type ServerFrame,
  type UserProfile,
} from '../../../src/protocol/index.js';

// A hang limit, not a duration anything waits for: a loaded 2-core machine has taken over 2 s to
// answer a burst of 80 requests through Redis.
export const WAIT_MS = 10_000;

export interface Closed {
  code: number;
  reason: string;
}

let requestCounter = 0;
export const nextId = (prefix = 'r'): string => `${prefix}${++requestCounter}`;

/** A client's save of customer 42's `fields` on `baseVersion`; resolves to the server's answer. */
export function updateCustomer(
  client: TestClient,
  fields: Record<string, string>,
  baseVersion: number,
  mutationId: string,
): Promise<ServerFrame> {
  return client.request({
    type: 'entity.update',
    id: nextId('u'),
    mutationId,
    entityType: 'customer',
    entityId: '42',
    baseVersion,
    fields,
  });
}

export class TestClient {
  readonly frames: ServerFrame[] = [];
  /** Raw texts that failed schema validation (should stay empty). */
  readonly invalid: string[] = [];
  /** Size in bytes of the largest frame received. */
  largestFrame = 0;
  readonly closed: Promise<Closed>;
  private waiters: { test: (f: ServerFrame) => boolean; resolve: (f: ServerFrame) => void }[] = [];

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const text = data.toString();
      this.largestFrame = Math.max(this.largestFrame, Buffer.byteLength(text));
      const parsed = parseServerFrame(text, Infinity);
      if (!parsed.ok) {
        this.invalid.push(text);
        return;
      }
      this.frames.push(parsed.frame);
      this.waiters = this.waiters.filter((w) => {
        if (!w.test(parsed.frame)) return true;
        w.resolve(parsed.frame);
        return false;
      });
    });
    this.closed = new Promise((resolve) => {
      ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() }));
    });
    ws.on('error', () => {});
  }

  /** Opens a socket (no hello yet). */
  static async open(url: string, options: ClientOptions = {}): Promise<TestClient> {
    const ws = new WebSocket(url, options);
    const client = new TestClient(ws);
    await once(ws, 'open');
    return client;
  }

  /** Opens a socket and completes the handshake as a development identity or with a token. */
  static async connect(
    url: string,
    who: { user?: UserProfile; token?: string; clientId?: string; accepts?: string[] },
    options: ClientOptions = {},
  ): Promise<TestClient> {
    const client = await TestClient.open(url, options);
    const id = nextId('hello');
    const hello: ClientFrame = {
      type: 'hello',
      id,
      v: PROTOCOL_VERSION,
      clientId: who.clientId ?? `device-${who.user?.id ?? 'token'}`,
    };
    if (who.user) hello.devUser = who.user;
    if (who.token) hello.token = who.token;
    if (who.accepts) hello.accepts = who.accepts;
    client.send(hello);
    const reply = await client.next((f) => 'replyTo' in f && f.replyTo === id);
    if (reply.type !== 'welcome') {
      throw new Error(`handshake refused: ${JSON.stringify(reply)}`);
    }
    return client;
  }

  send(frame: ClientFrame | Record<string, unknown>): void {
    this.ws.send(JSON.stringify(frame));
  }

  sendRaw(data: string | Buffer): void {
    this.ws.send(data);
  }

  /** The first frame, already received or still to come, that matches. */
  next(test: (f: ServerFrame) => boolean, timeoutMs = WAIT_MS): Promise<ServerFrame> {
    const seen = this.frames.find(test);
    if (seen) return Promise.resolve(seen);
    return this.upcoming(test, timeoutMs);
  }

  /** The next matching frame received from now on. */
  upcoming(test: (f: ServerFrame) => boolean, timeoutMs = WAIT_MS): Promise<ServerFrame> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w.resolve !== done);
        reject(new Error(`no matching frame within ${timeoutMs} ms; got ${this.describe()}`));
      }, timeoutMs);
      const done = (frame: ServerFrame): void => {
        clearTimeout(timer);
        resolve(frame);
      };
      this.waiters.push({ test, resolve: done });
    });
  }

  /** Sends a request and waits for the frame answering it. */
  async request(frame: ClientFrame & { id: string }): Promise<ServerFrame> {
    this.send(frame);
    return this.upcoming((f) => 'replyTo' in f && f.replyTo === frame.id);
  }

  async join(
    room: string,
    extra: {
      since?: number;
      presence?: FrameOf<ClientFrame, 'join'>['presence'];
      tab?: string;
      watch?: boolean;
    } = {},
  ): Promise<FrameOf<ServerFrame, 'joined'>> {
    const reply = await this.request({ type: 'join', id: nextId('join'), room, ...extra });
    if (reply.type !== 'joined') throw new Error(`join refused: ${JSON.stringify(reply)}`);
    return reply;
  }

  /**
   * A round trip: everything the server sent this client before answering this ping has arrived
   * when it resolves. Used to assert that something was NOT sent.
   */
  async sync(): Promise<void> {
    const t = Math.floor(Math.random() * 1e9);
    this.send({ type: 'ping', t });
    await this.upcoming((f) => f.type === 'pong' && f.t === t);
  }

  /** A WebSocket-level ping/pong round trip: a barrier that sends no protocol frame. */
  async wsRoundTrip(): Promise<void> {
    const pong = once(this.ws, 'pong');
    this.ws.ping();
    await pong;
  }

  ofType<T extends ServerFrame['type']>(type: T): FrameOf<ServerFrame, T>[] {
    return this.frames.filter((f): f is FrameOf<ServerFrame, T> => f.type === type);
  }

  async waitClosed(timeoutMs = WAIT_MS): Promise<Closed> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`socket still open after ${timeoutMs} ms`)),
        timeoutMs,
      );
    });
    try {
      return await Promise.race([this.closed, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  close(): void {
    this.ws.close();
  }

  private describe(): string {
    return JSON.stringify(this.frames.slice(-5)).slice(0, 800);
  }
}

/**
 * Resolves when `condition` holds, checking on every turn of the event loop (or every
 * `intervalMs`, for long waits that should leave the CPU to the clients being waited for);
 * bounded by `timeoutMs`, failing with `what` in the message.
 */
export async function until(
  condition: () => boolean,
  timeoutMs = WAIT_MS,
  what = 'condition',
  intervalMs = 0,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`${what} not met within ${timeoutMs} ms`);
    await new Promise((resolve) =>
      intervalMs > 0 ? setTimeout(resolve, intervalMs) : setImmediate(resolve),
    );
  }
}

const BLOB = 'x'.repeat(60_000);

/** Publishes `count` events of about 60 KB into `room` (to fill replay windows); resolves with their seqs. */
export async function publishBlobs(
  client: TestClient,
  room: string,
  count: number,
): Promise<number[]> {
  const seqs: number[] = [];
  for (let i = 0; i < count; i++) {
    const ack = await client.request({
      type: 'emit',
      id: nextId('e'),
      room,
      event: 'blob',
      payload: { i, blob: BLOB },
    });
    assert.equal(ack.type, 'ack', JSON.stringify(ack).slice(0, 300));
    seqs.push((ack as { seq: number }).seq);
  }
  return seqs;
}

/**
 * Opens a socket (with the upgrade's `headers`, e.g. a proxy's `X-Forwarded-For`) and presents a
 * forged token; resolves with the upgrade status or the close.
 */
export function badHandshake(
  url: string,
  headers: Record<string, string | string[]> = {},
  /** The address the socket connects from (any of 127.0.0.0/8 on Linux). */
  localAddress?: string,
): Promise<{ status: number } | { closed: number }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers, ...(localAddress ? { localAddress } : {}) });
    ws.on('unexpected-response', (_req, res) => {
      resolve({ status: res.statusCode ?? 0 });
      res.resume();
    });
    ws.on('open', () =>
      ws.send(
        JSON.stringify({
          type: 'hello',
          id: 'h1',
          v: PROTOCOL_VERSION,
          clientId: 'c1',
          token: 'forged.token.value',
        }),
      ),
    );
    ws.on('close', (code) => resolve({ closed: code }));
    ws.on('error', (error) => {
      if (!/Unexpected server response/.test(String(error))) reject(error);
    });
  });
}

/**
 * What a new WebSocket upgrade is answered: `{ status: 101 }` when it opens (the socket is closed
 * at once), else the refusal's status and `Retry-After`.
 */
export function upgradeStatus(url: string): Promise<{ status: number; retryAfter?: string }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    ws.once('open', () => {
      ws.terminate();
      resolve({ status: 101 });
    });
    ws.once('unexpected-response', (_req, res) => {
      const retryAfter = res.headers['retry-after'];
      resolve({ status: res.statusCode ?? 0, ...(retryAfter !== undefined && { retryAfter }) });
      res.resume();
      ws.terminate();
    });
    ws.once('error', (error) => {
      if (!/Unexpected server response/.test(String(error))) reject(error);
    });
  });
}

/** Waits until presence, as `client` was told it, shows `userId` in `room`'s call (or out of it). */
export function seesInCall(
  client: TestClient,
  room: string,
  userId: string,
  inCall = true,
): Promise<ServerFrame> {
  return client.next(
    (f) =>
      (f.type === 'presence.diff' || f.type === 'joined') &&
      f.room === room &&
      (f.type === 'joined' ? f.people : f.upsert).some(
        (p) => p.user.id === userId && (p.inCall === true) === inCall,
      ),
  );
}

/** The server's `/metrics` text (Prometheus format), from its HTTP port. */
export function metrics(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    request({ host: '127.0.0.1', port, path: '/metrics' }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve(body));
    })
      .on('error', reject)
      .end();
  });
}
