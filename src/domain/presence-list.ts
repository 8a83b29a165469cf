/**
 * Which people a room's presence lists, in one rule for the server, the fake server and the
 * widgets.
 *
 * - Order: arrival (`since`), then name, then user id, so avatars do not jump around when someone
 *   changes what they do.
 * - A room of up to `PRESENCE_LISTED` people lists everyone. A larger one lists its first
 *   `PRESENCE_LISTED` in that order and a count (`total`): what the widgets show (a few avatars
 *   and "+N"), without telling every member about every arrival, which made a room of a thousand
 *   filling up cost a million frames.
 * - Since newcomers arrive last, a burst of arrivals in a large room changes only the count.
 */
import type { Person } from '../protocol/index.js';

/** People first by arrival, then by name, then by id. */
export function byArrival(a: Person, b: Person): number {
  return (
    a.since - b.since || a.user.name.localeCompare(b.user.name) || (a.user.id < b.user.id ? -1 : 1)
  );
}

/**
 * The first `limit` of `people` by arrival, sorted. One pass: people who arrived after the last
 * listed one, the usual case in a large room, cost one comparison each.
 */
export function firstPeople(people: Iterable<Person>, limit: number): Person[] {
  const first: Person[] = [];
  if (limit <= 0) return first;
  for (const person of people) {
    if (first.length === limit) {
      if (byArrival(person, first[limit - 1]!) >= 0) continue;
      first.pop();
    }
    let i = first.length;
    while (i > 0 && byArrival(person, first[i - 1]!) < 0) i--;
    first.splice(i, 0, person);
  }
  return first;
}

/** What members are told about a change: people (re)listed, ids no longer listed, the count. */
export interface PresenceChange {
  upsert: Person[];
  remove: string[];
  /** The room's count while it lists only its first people; absent when it lists everyone. */
  total?: number;
}

/**
 * What a room's members were last told: the listed people and the count. `next` moves it to the
 * room's current people and says what the members must be told to get there.
 */
export class ListedPeople {
  private listed = new Map<string, Person>();
  private count = 0;

  constructor(
    readonly limit: number,
    /** Whether members would see no difference between two entries of one person. */
    private readonly same: (before: Person, after: Person) => boolean = (a, b) => a === b,
  ) {}

  /** The people members were last told about, in order. */
  get people(): Person[] {
    return [...this.listed.values()];
  }

  get total(): number {
    return this.count;
  }

  /**
   * Moves to `people` (every person in the room now, `total` of them). With `countOnly` false, a
   * change of the count alone is held back (nothing is told or recorded) and `held` is true, so a
   * later call sends it.
   */
  next(
    people: Iterable<Person>,
    total: number,
    countOnly = true,
  ): { change: PresenceChange | undefined; held: boolean } {
    const first = firstPeople(people, this.limit);
    const upsert: Person[] = [];
    const listed = new Map<string, Person>();
    for (const person of first) {
      const id = person.user.id;
      listed.set(id, person);
      const before = this.listed.get(id);
      if (!before || !this.same(before, person)) upsert.push(person);
    }
    const remove: string[] = [];
    for (const id of this.listed.keys()) if (!listed.has(id)) remove.push(id);
    const partial = total > first.length;
    const wasPartial = this.count > this.listed.size;
    const counted = total !== this.count && (partial || wasPartial);
    if (upsert.length === 0 && remove.length === 0) {
      if (!counted) return { change: undefined, held: false };
      if (!countOnly) return { change: undefined, held: true };
    }
    this.listed = listed;
    this.count = total;
    return { change: partial ? { upsert, remove, total } : { upsert, remove }, held: false };
  }
}
