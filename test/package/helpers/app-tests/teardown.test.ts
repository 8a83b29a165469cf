// @vitest-environment node
/**
 * A fake server on real timers, closed after its client: it holds no timer any more (the grace
 * period of the people who were connected kept the test process alive for 15 s).
 */
import { expect, it } from 'vitest';
import { FakeServer, connectFake } from 'crm-realtime/testing';

/** The page's timers, counting those not yet run or cleared. */
function countingClock() {
  const pending = new Set<ReturnType<typeof setTimeout>>();
  return {
    pending,
    now: () => Date.now(),
    setTimeout(fn: () => void, ms: number) {
      const handle = setTimeout(() => {
        pending.delete(handle);
        fn();
      }, ms);
      pending.add(handle);
      return handle;
    },
    clearTimeout(handle: unknown) {
      pending.delete(handle as ReturnType<typeof setTimeout>);
      clearTimeout(handle as ReturnType<typeof setTimeout>);
    },
  };
}

it('closing the fake server clears its timers', async () => {
  const clock = countingClock();
  const server = new FakeServer({ clock });
  const client = connectFake(server, { devUser: { id: 'ada', name: 'Ada' }, clock: undefined });
  const presence = client.presence('customer:42');
  await new Promise<void>((resolve) =>
    presence.subscribe((s) => s.people.length === 1 && resolve()),
  );
  client.close();
  server.close();
  expect(clock.pending.size).toBe(0);
  expect(server.people('customer:42')).toEqual([]);
});
