/**
 * Options for a browser `RealtimeClient` talking to the reference server over real `ws` sockets
 * in Node: no DOM environment, a fast reconnect, and store batching on a timer instead of
 * animation frames.
 */
import { WebSocket } from 'ws';
import type { RealtimeClientOptions, SocketLike } from '../../../src/client/index.js';
import { ManualEnvironment } from '../../../src/testing/index.js';

export function realClientOptions(
  url: string,
  options: Partial<RealtimeClientOptions> = {},
): RealtimeClientOptions {
  return {
    url,
    socketFactory: (u) => new WebSocket(u) as unknown as SocketLike,
    environment: new ManualEnvironment(),
    reconnectInterval: 50,
    scheduleFrame: (cb) => void setTimeout(cb, 0),
    ...options,
  };
}
