/**
 * Server-side pieces over fakes, for tests of the write path: a `Connection` whose socket logs
 * each system-call-sized write, and a room registry on an in-memory bus.
 */
import { Connection, type ConnectionLimits } from '../../../src/server/connection.js';
import { LocalBus } from '../../../src/server/local-bus.js';
import { ServerMetrics } from '../../../src/server/metrics.js';
import { RoomRegistry } from '../../../src/server/rooms.js';
import type { ServerSocket } from '../../../src/server/server-socket.js';
import type { WriteBatch } from '../../../src/server/write-batch.js';
import { ManualClock } from '../../../src/testing/manual-clock.js';

export interface FakeSocketOptions {
  id?: string;
  metrics?: ServerMetrics;
  batch?: WriteBatch | undefined;
  /** How a write shows in the log, after `write ` (default: the bytes after a 2-byte header). */
  describe?: (data: Buffer) => string;
  limits?: Partial<ConnectionLimits>;
  /** A peer that reads nothing: every byte written stays unsent. */
  stalled?: boolean;
  /** The user's sockets, for the per-user unsent limit (`UserControl`). */
  users?: ConstructorParameters<typeof Connection>[8];
}

/**
 * A connection over a fake open socket that logs `cork`, `uncork`, `write <what>` and, for text
 * sent through ws itself (direct frames), `send <type>`; `close` and `terminate` as it ends.
 */
export function fakeSocketConnection({
  id = 'c1',
  metrics = new ServerMetrics(),
  batch,
  describe = (data) => data.subarray(2).toString(),
  limits: given = {},
  stalled = false,
  users,
}: FakeSocketOptions = {}): { connection: Connection; log: string[] } {
  const log: string[] = [];
  const socket = {
    destroyed: false,
    writableLength: 0,
    cork: () => log.push('cork'),
    uncork: () => log.push('uncork'),
    write: (data: Buffer) => {
      log.push(`write ${describe(data)}`);
      if (stalled) socket.writableLength += data.byteLength;
      return true;
    },
  };
  const ws = {
    open: true,
    readyState: 1,
    extensions: '',
    _socket: socket,
    bufferedAmount: 0,
    send: (text: string) => log.push(`send ${(JSON.parse(text) as { type: string }).type}`),
    close: () => {
      ws.open = false;
      log.push('close');
    },
    terminate: () => {
      ws.open = false;
      socket.destroyed = true;
      log.push('terminate');
    },
  };
  const limits = {
    maxMessagesPerSecond: 10,
    maxBufferedBytes: 1 << 20,
    preframedWrites: true,
    ...given,
  };
  const connection = new Connection(
    id,
    ws as unknown as ServerSocket,
    limits,
    metrics,
    0,
    () => {},
    batch,
    undefined,
    users,
  );
  return { connection, log };
}

/** A room registry on an in-memory bus (replay of 100 events / 60 s, frames up to 64 KiB). */
export function localRooms({ maxQueued = 100, batchWrites = true } = {}) {
  const bus = new LocalBus({
    clock: new ManualClock(),
    replayEvents: 100,
    replayMillis: 60_000,
    maxFrameBytes: 65_536,
  });
  const metrics = new ServerMetrics();
  const rooms = new RoomRegistry(bus, metrics, maxQueued, batchWrites);
  return { bus, metrics, rooms };
}
