import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { afterEach, describe, test } from 'node:test';
import { WebSocket, WebSocketServer } from 'ws';
import { Connection } from '../../../src/server/connection.js';
import { ServerMetrics } from '../../../src/server/metrics.js';
import { ServerSocket } from '../../../src/server/server-socket.js';
import { PreparedFrame } from '../../../src/server/wire.js';
import { until } from '../helpers/server-client.js';

interface Frame {
  opcode: number;
  text: string;
}

/**
 * A WebSocket client written on a bare TCP socket, so a test decides exactly what the server
 * sees: a close frame without the TCP close that normally follows, a FIN without a close frame.
 */
class RawClient {
  readonly frames: Frame[] = [];
  private pending = Buffer.alloc(0);
  private upgraded = false;

  constructor(readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => this.read(chunk));
    socket.on('error', () => {});
  }

  static async open(port: number): Promise<RawClient> {
    const socket = connect(port, '127.0.0.1');
    await once(socket, 'connect');
    const client = new RawClient(socket);
    socket.write(
      'GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
        'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
    );
    await until(() => client.upgraded);
    return client;
  }

  /** Sends a masked close frame with a status code. */
  sendClose(code: number): void {
    const mask = Buffer.from([1, 2, 3, 4]);
    const payload = Buffer.alloc(2);
    payload.writeUInt16BE(code);
    for (let i = 0; i < payload.length; i++) payload[i]! ^= mask[i % 4]!;
    this.socket.write(Buffer.concat([Buffer.from([0x88, 0x80 | 2]), mask, payload]));
  }

  private read(chunk: Buffer): void {
    this.pending = Buffer.concat([this.pending, chunk]);
    if (!this.upgraded) {
      const end = this.pending.indexOf('\r\n\r\n');
      if (end < 0) return;
      this.upgraded = true;
      this.pending = this.pending.subarray(end + 4);
    }
    while (this.pending.length >= 2) {
      let length = this.pending[1]! & 0x7f;
      let offset = 2;
      if (length === 126) {
        if (this.pending.length < 4) return;
        length = this.pending.readUInt16BE(2);
        offset = 4;
      }
      if (this.pending.length < offset + length) return;
      const opcode = this.pending[0]! & 0x0f;
      const payload = this.pending.subarray(offset, offset + length);
      this.frames.push({ opcode, text: opcode === 1 ? payload.toString() : '' });
      this.pending = this.pending.subarray(offset + length);
    }
  }
}

const TEXT = 1;
const CLOSE = 8;

describe('server socket: whether frames may still be written', () => {
  let http: Server | undefined;
  const clients: RawClient[] = [];
  afterEach(async () => {
    for (const client of clients.splice(0)) client.socket.destroy();
    if (http) await new Promise((resolve) => http!.close(resolve));
    http = undefined;
  });

  /** A server whose next accepted socket is returned along with its raw client. */
  async function pair(): Promise<{ ws: ServerSocket; client: RawClient }> {
    const wss = new WebSocketServer({
      noServer: true,
      perMessageDeflate: false,
      WebSocket: ServerSocket,
    });
    const accepted: ServerSocket[] = [];
    http = createServer();
    http.on('upgrade', (req, socket, head) =>
      wss.handleUpgrade(req, socket, head, (ws) => accepted.push(ws)),
    );
    http.listen(0, '127.0.0.1');
    await once(http, 'listening');
    const client = await RawClient.open((http.address() as AddressInfo).port);
    clients.push(client);
    await until(() => accepted.length === 1);
    const ws = accepted[0]!;
    ws.on('error', () => {});
    assert.equal(ws.readyState, WebSocket.OPEN);
    assert.equal(ws.open, true);
    return { ws, client };
  }

  /** A connection writing pre-framed bytes to the socket, as broadcasts do. */
  function connectionOver(ws: ServerSocket): Connection {
    const limits = { maxMessagesPerSecond: 10, maxBufferedBytes: 1 << 20, preframedWrites: true };
    return new Connection('c1', ws, limits, new ServerMetrics(), 0, () => {}, undefined);
  }

  const closing = (ws: ServerSocket): void => {
    assert.notEqual(ws.readyState, WebSocket.OPEN);
    assert.equal(ws.open, false, `open while readyState is ${ws.readyState}`);
  };

  test('closed by the server: not open from that moment', async () => {
    const { ws } = await pair();
    ws.close(1001, 'bye');
    closing(ws);
  });

  test("the peer's close frame: not open once ws answers it", async () => {
    const { ws, client } = await pair();
    client.sendClose(1000);
    await until(() => client.frames.some((f) => f.opcode === CLOSE));
    closing(ws);
  });

  test('the peer ends TCP without a close frame: not open', async () => {
    const { ws, client } = await pair();
    client.socket.end();
    await once(client.socket, 'end');
    closing(ws);
  });

  test('the socket is destroyed (terminate): not open', async () => {
    const { ws } = await pair();
    ws.terminate();
    closing(ws);
    await once(ws, 'close');
    closing(ws);
  });

  test('a broadcast once ws closes on its own is dropped: nothing after the close frame, no throw', async () => {
    const { ws, client } = await pair();
    const connection = connectionOver(ws);
    assert.equal(connection.writePrepared(PreparedFrame.fromJson('"before"')), true);
    // ws closes by itself, as on a protocol error: the connection was not told.
    ws.close(1002, 'protocol error');
    assert.equal(connection.state, 'handshake', 'the connection did not close it');
    assert.equal(connection.isOpen, false);
    assert.equal(connection.writePrepared(PreparedFrame.fromJson('"after"')), false);
    await until(() => client.frames.some((f) => f.opcode === CLOSE));
    client.sendClose(1002);
    await once(client.socket, 'close');
    assert.deepEqual(
      client.frames.map((f) => [f.opcode, f.text]),
      [
        [TEXT, '"before"'],
        [CLOSE, ''],
      ],
    );
  });

  test("a broadcast during the peer's close handshake is dropped: nothing after the close frame", async () => {
    const { ws, client } = await pair();
    const connection = connectionOver(ws);
    client.sendClose(1000);
    await until(() => client.frames.some((f) => f.opcode === CLOSE));
    assert.equal(connection.writePrepared(PreparedFrame.fromJson('"late"')), false);
    connection.send({ type: 'bye', reason: 'shutdown', reconnectMs: 1 });
    client.socket.end();
    await once(client.socket, 'close');
    assert.deepEqual(
      client.frames.map((f) => f.opcode),
      [CLOSE],
    );
  });
});
