// @vitest-environment node
/**
 * `waitFor` in an app's Vitest tests: with `vi.useFakeTimers()` installed it neither hangs (its
 * deadline is in real time) nor misses what the fake server delivers, and it moves test time when
 * given a clock: Vitest's fake timers, or a rig's ManualClock.
 */
import { afterEach, expect, it, vi } from 'vitest';
import { FakeServer, connectFake, createRig, waitFor } from 'crm-realtime/testing';

const ada = { id: 'ada', name: 'Ada' };

afterEach(() => {
  vi.useRealTimers();
});

it('rejects at its deadline with the timers faked, naming what it waited for', async () => {
  vi.useFakeTimers();
  await expect(waitFor(() => false, { what: 'nothing', timeout: 50 })).rejects.toThrow(
    'nothing did not hold within 50 ms',
  );
});

it('sees what the fake server delivers with the timers faked', async () => {
  vi.useFakeTimers();
  const server = new FakeServer();
  const client = connectFake(server, { devUser: ada });
  const presence = client.presence('customer:42');
  server.addPerson('customer:42', { id: 'bo', name: 'Bo' });
  const bo = await waitFor(() => presence.snapshot().people.find((p) => p.user.id === 'bo'));
  expect(bo.user.name).toBe('Bo');
  client.close();
  server.close();
});

it("moves Vitest's fake time when given it: a reconnect after its backoff", async () => {
  vi.useFakeTimers();
  const server = new FakeServer();
  const client = connectFake(server, { devUser: ada });
  await waitFor(() => client.status.state === 'open');
  server.dropConnections();
  await waitFor(() => client.status.state === 'reconnecting');
  const advance = (ms: number) => vi.advanceTimersByTimeAsync(ms);
  await waitFor(() => client.status.state === 'open', { clock: { advance } });
  client.close();
  server.close();
});

it("moves a rig's ManualClock when given it", async () => {
  const rig = createRig();
  const presence = rig.client({ devUser: ada }).presence('customer:42');
  rig.server.addPerson('customer:42', { id: 'bo', name: 'Bo' });
  let told = false;
  presence.subscribe((snapshot) => (told ||= snapshot.people.length === 2));
  await waitFor(() => presence.snapshot().people.length === 2);
  // Store notifications come on the rig's 16 ms frames, which only its clock moves.
  await waitFor(() => told, { clock: rig.clock });
  rig.close();
});
