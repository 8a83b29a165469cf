/**
 * Reading a client's connection status in tests. Functions, not property reads: TypeScript would
 * narrow `client.status` after the first assert and reject the next state as impossible.
 */
import assert from 'node:assert/strict';
import type { ConnectionStatus, RealtimeClient } from '../../../src/client/index.js';

export const statusOf = (client: RealtimeClient): ConnectionStatus => client.status;

export const stateOf = (client: RealtimeClient): ConnectionStatus['state'] => client.status.state;

/** Asserts the client is in `state` and returns its status, typed for that state. */
export function expectState<S extends ConnectionStatus['state']>(
  client: RealtimeClient,
  state: S,
): Extract<ConnectionStatus, { state: S }> {
  const status = client.status;
  assert.equal(status.state, state);
  return status as Extract<ConnectionStatus, { state: S }>;
}
