/**
 * How the server answers client frames, one style for every capability: each owns the frame types
 * it answers as a table of `(connection, frame) => …`, built once per server from the services it
 * needs (and nothing more), and the server joins the tables into one. The type checks that every
 * frame type has exactly one handler; a session only looks its frame up.
 */
import type { ClientFrame, IceServer } from '../protocol/index.js';
import type { ServerClock } from './clock.js';
import type { Connection } from './connection.js';
import { turnServer, type TurnOptions } from './turn-credentials.js';

/**
 * Every client frame type. A `hello` during the handshake is the session's own (see `session.ts`);
 * one after it is answered here, like any other frame.
 */
export type FrameType = ClientFrame['type'];

export type FrameOf<T extends FrameType> = Extract<ClientFrame, { type: T }>;

/** Answers one frame; a promise keeps the connection's later frames waiting until it settles. */
export type FrameHandler<T extends FrameType> = (
  connection: Connection,
  frame: FrameOf<T>,
) => Promise<void> | void;

export type FrameHandlers = { readonly [T in FrameType]: FrameHandler<T> };

/** The part of the table one capability owns. */
export type SomeFrameHandlers<T extends FrameType> = Pick<FrameHandlers, T>;

/** Runs the handler of `frame`'s type. */
export function dispatchFrame(
  handlers: FrameHandlers,
  connection: Connection,
  frame: ClientFrame,
): Promise<void> | void {
  return (handlers[frame.type] as FrameHandler<FrameType>)(connection, frame);
}

/**
 * What a connection answers itself once open: a second hello, and the heartbeat in both
 * directions.
 */
export const connectionFrames: SomeFrameHandlers<'hello' | 'ping' | 'pong'> = {
  hello: (connection, frame) => {
    connection.sendError('bad_frame', 'hello was already received', { replyTo: frame.id });
  },
  ping: (connection, frame) => {
    connection.send(frame.t === undefined ? { type: 'pong' } : { type: 'pong', t: frame.t });
  },
  pong: () => {},
};

/**
 * `call.config`: the STUN/TURN servers calls use (see the `iceServers` option), and with `turn` a
 * TURN server with credentials made for this connection's user, valid from now (a client asks on
 * every join of a call).
 */
export function callFrames(
  iceServers: readonly IceServer[],
  turn: TurnOptions | undefined,
  clock: ServerClock,
): SomeFrameHandlers<'call.config'> {
  return {
    'call.config': (connection, frame) => {
      const servers = [...iceServers];
      if (turn && connection.user) servers.push(turnServer(turn, connection.user.id, clock.now()));
      connection.send({ type: 'call.config', replyTo: frame.id, iceServers: servers });
    },
  };
}
