// @vitest-environment node
/**
 * A rig under Vitest's fake timers: the rig's clock waits for the environment's own tasks, not for
 * a timer the test faked, so `advance` returns (it never resolved when `setImmediate` was faked).
 */
import { afterEach, expect, it, vi } from 'vitest';
import { createRig } from 'crm-realtime/testing';

afterEach(() => {
  vi.useRealTimers();
});

it('a rig advances with vi.useFakeTimers() installed', async () => {
  vi.useFakeTimers();
  const rig = createRig();
  const presence = rig.client({ devUser: { id: 'ada', name: 'Ada' } }).presence('customer:42');
  rig.server.addPerson('customer:42', { id: 'bo', name: 'Bo' });
  await rig.clock.advance(16);
  expect(
    presence
      .snapshot()
      .people.map((p) => p.user.id)
      .sort(),
  ).toEqual(['ada', 'bo']);
  rig.close();
});
