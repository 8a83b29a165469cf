/**
 * Scripted scenarios for stories, demos and tests: people arriving one by one, someone going away,
 * someone editing a field, a flaky connection. Each runs on the fake server's clock (a
 * `ManualClock` in tests, real timers in Storybook) and returns a handle to stop it.
 *
 * ```ts
 * const server = new FakeServer();                       // real timers
 * const arriving = peopleArriving(server, { room: 'customer:42' });
 * const flaky = flakyConnection(server, { everyMs: 8000 });
 * // later: arriving.stop(); flaky.stop();
 * ```
 */
import type { Activity, UserProfile } from '../protocol/index.js';
import type { Clock } from '../client/types.js';
import type { FakeServer } from './fake-server.js';
import { SAMPLE_PEOPLE, type Scenario } from './scenario.js';

export { initialsAvatar, SAMPLE_PEOPLE, type Scenario } from './scenario.js';

function person(index: number): UserProfile {
  return SAMPLE_PEOPLE[index % SAMPLE_PEOPLE.length]!;
}

/** Runs timers on a clock and cancels them all on stop. */
class Timers implements Scenario {
  private readonly handles = new Set<unknown>();
  private stopped = false;

  constructor(private readonly clock: Clock) {}

  after(ms: number, fn: () => void): void {
    if (this.stopped) return;
    const handle = this.clock.setTimeout(() => {
      this.handles.delete(handle);
      if (!this.stopped) fn();
    }, ms);
    this.handles.add(handle);
  }

  every(ms: number, fn: () => void): void {
    this.after(ms, () => {
      fn();
      this.every(ms, fn);
    });
  }

  stop(): void {
    this.stopped = true;
    for (const handle of this.handles) this.clock.clearTimeout(handle);
    this.handles.clear();
  }
}

export interface RoomScenarioOptions {
  room: string;
  /** Defaults to the server's clock. */
  clock?: Clock;
}

/** Put `count` people in a room at once (for "+N" overflow and crowded states). */
export function populate(
  server: FakeServer,
  {
    room,
    count = 3,
    people = SAMPLE_PEOPLE,
  }: { room: string; count?: number; people?: readonly UserProfile[] },
): void {
  for (let i = 0; i < count; i++) {
    const base = people[i % people.length]!;
    const user =
      i < people.length ? base : { ...base, id: `${base.id}-${i}`, name: `${base.name} ${i}` };
    server.addPerson(room, user, {
      status: i % 4 === 3 ? 'away' : 'online',
      connections: i % 3 === 1 ? 2 : 1,
    });
  }
}

/** People arrive one by one, `everyMs` apart; the second one has two tabs open. */
export function peopleArriving(
  server: FakeServer,
  {
    room,
    clock = server.clock,
    people = SAMPLE_PEOPLE.slice(0, 5),
    everyMs = 1200,
  }: RoomScenarioOptions & { people?: readonly UserProfile[]; everyMs?: number },
): Scenario {
  const timers = new Timers(clock);
  people.forEach((user, i) => {
    timers.after(everyMs * (i + 1), () =>
      server.addPerson(room, user, { connections: i === 1 ? 2 : 1, devices: i === 1 ? 2 : 1 }),
    );
  });
  return timers;
}

/** Someone goes away after `afterMs` (idle or hidden tab), and comes back after `backAfterMs`. */
export function someoneGoesAway(
  server: FakeServer,
  {
    room,
    clock = server.clock,
    user = person(1),
    afterMs = 3000,
    backAfterMs,
  }: RoomScenarioOptions & { user?: UserProfile; afterMs?: number; backAfterMs?: number },
): Scenario {
  const timers = new Timers(clock);
  if (!server.people(room).some((p) => p.user.id === user.id)) server.addPerson(room, user);
  timers.after(afterMs, () => {
    server.setPersonStatus(room, user.id, 'away');
    if (backAfterMs !== undefined) {
      timers.after(backAfterMs, () => server.setPersonStatus(room, user.id, 'online'));
    }
  });
  return timers;
}

/** Someone starts editing a field after `afterMs`, stops after `forMs`, and (by default) repeats. */
export function someoneEditing(
  server: FakeServer,
  {
    room,
    clock = server.clock,
    user = person(0),
    field = 'email',
    afterMs = 1000,
    forMs = 4000,
    repeat = true,
  }: RoomScenarioOptions & {
    user?: UserProfile;
    field?: string;
    afterMs?: number;
    forMs?: number;
    repeat?: boolean;
  },
): Scenario {
  const timers = new Timers(clock);
  if (!server.people(room).some((p) => p.user.id === user.id)) server.addPerson(room, user);
  const editing: Activity = { kind: 'editing', field };
  const cycle = () => {
    server.setPersonActivity(room, user.id, editing);
    timers.after(forMs, () => {
      server.setPersonActivity(room, user.id, { kind: 'viewing' });
      if (repeat) timers.after(afterMs, cycle);
    });
  };
  timers.after(afterMs, cycle);
  return timers;
}

/**
 * A flaky connection: every `everyMs` all sockets drop (1006) and the server refuses connections
 * for `downMs`, so clients show "reconnecting" and then resume.
 */
export function flakyConnection(
  server: FakeServer,
  {
    clock = server.clock,
    everyMs = 6000,
    downMs = 1500,
  }: { clock?: Clock; everyMs?: number; downMs?: number } = {},
): Scenario {
  const timers = new Timers(clock);
  timers.every(everyMs, () => {
    server.refuseConnections(true);
    server.dropConnections();
    timers.after(downMs, () => server.refuseConnections(false));
  });
  return {
    stop() {
      timers.stop();
      server.refuseConnections(false);
    },
  };
}

/** A lively room for a "live" story: arrivals, someone editing, someone going away and back. */
export function livelyRoom(server: FakeServer, options: RoomScenarioOptions): Scenario {
  const parts = [
    peopleArriving(server, { ...options, everyMs: 900 }),
    someoneEditing(server, { ...options, user: person(0), field: 'phone', afterMs: 2500 }),
    someoneGoesAway(server, { ...options, user: person(2), afterMs: 6000, backAfterMs: 5000 }),
  ];
  return { stop: () => parts.forEach((part) => part.stop()) };
}
