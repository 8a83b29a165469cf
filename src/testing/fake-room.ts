/**
 * One room of the fake server: members, presence aggregated per person, the sequence number and
 * a bounded replay buffer. Mirrors what the reference server does, in the simplest way: a large
 * room lists its first people and a count by the same rule (domain/presence-list), though every
 * change is told at once rather than coalesced per turn.
 */
import {
  aggregatePresence,
  sameActivity,
  type PresencePart,
} from '../domain/presence-aggregate.js';
import { firstPeople, ListedPeople, type PresenceChange } from '../domain/presence-list.js';
import {
  PRESENCE_LISTED,
  type Activity,
  type EventFrame,
  type Person,
  type PresenceState,
  type PresenceStatus,
  type UserProfile,
} from '../protocol/index.js';
import { sameJson } from '../util/same-json.js';

/** Server-side view of one fake connection. */
export interface FakeConnection {
  readonly id: string;
  user: UserProfile | undefined;
  clientId: string | undefined;
  /** Its `hello` named `partial-ack` (see `hello.accepts`). */
  acceptsPartialAck?: boolean;
  readonly rooms: Set<string>;
}

/** Presence of a scripted person (no real connection behind it). */
export interface ScriptedPresence {
  status: PresenceStatus;
  activity: Activity;
  connections: number;
  devices: number;
  /** In the room's call (`<crm-huddle>`). */
  inCall?: boolean;
}

interface MemberState {
  state: PresenceState;
  changedAt: number;
  /** The connection this member speaks through (several tabs may share one). */
  connection: FakeConnection;
}

export interface PersonEntry {
  user: UserProfile;
  since: number;
  updatedAt: number;
  scripted: ScriptedPresence | undefined;
  /** Presence members by connection id, and `/tab` for the tabs of a shared connection. */
  members: Map<string, MemberState>;
  /** Pending removal after the last connection left (grace period). */
  graceTimer: unknown;
}

export interface ResumeResult {
  resume: 'none' | 'replayed' | 'gap';
  missed: number;
  events: EventFrame[];
}

export class FakeRoom {
  seq = 0;
  readonly buffer: EventFrame[] = [];
  readonly members = new Set<FakeConnection>();
  readonly people = new Map<string, PersonEntry>();
  /** What the members were told about the people. */
  private readonly told = new ListedPeople(PRESENCE_LISTED, sameJson);
  /** The tabs of each member connection (`''` for joins without `tab`). */
  private readonly tabs = new Map<FakeConnection, Set<string>>();

  constructor(
    readonly name: string,
    private readonly limits: { replayEvents: number; replayMillis: number },
  ) {}

  /** Append an event to the bounded replay buffer (count and age). */
  record(event: EventFrame, now: number): void {
    this.buffer.push(event);
    this.prune(now);
  }

  prune(now: number): void {
    while (this.buffer.length > this.limits.replayEvents) this.buffer.shift();
    while (this.buffer.length > 0 && this.buffer[0]!.at < now - this.limits.replayMillis) {
      this.buffer.shift();
    }
  }

  /** What to answer a `join` with `since`: replay the missed events, or admit a gap. */
  resume(since: number | undefined, now: number): ResumeResult {
    if (since === undefined) return { resume: 'none', missed: 0, events: [] };
    if (since === this.seq) return { resume: 'replayed', missed: 0, events: [] };
    // A `since` ahead of us means this server lost its state (a restart): the client must re-sync.
    if (since > this.seq) return { resume: 'gap', missed: 0, events: [] };
    this.prune(now);
    const first = this.buffer[0];
    if (!first || first.seq > since + 1) {
      return { resume: 'gap', missed: this.seq - since, events: [] };
    }
    const events = this.buffer.filter((event) => event.seq > since);
    return { resume: 'replayed', missed: events.length, events };
  }

  /**
   * A connection joins: it becomes a member and counts towards its person (cancelling a grace).
   * Without a state it watches: a member that hears the room, with no presence in it (a member
   * turned watcher leaves its person at once); nothing is returned then.
   */
  enter(
    c: FakeConnection,
    tab: string,
    user: UserProfile,
    state: PresenceState | undefined,
    now: number,
  ): PersonEntry | undefined {
    this.members.add(c);
    let tabs = this.tabs.get(c);
    if (!tabs) this.tabs.set(c, (tabs = new Set()));
    tabs.add(tab);
    let entry = this.people.get(user.id);
    if (!state) {
      if (entry?.members.delete(memberKey(c, tab)) && entry.members.size === 0 && !entry.scripted) {
        this.people.delete(user.id);
      }
      return undefined;
    }
    if (!entry) {
      entry = {
        user,
        since: now,
        updatedAt: now,
        scripted: undefined,
        members: new Map(),
        graceTimer: undefined,
      };
      this.people.set(user.id, entry);
    }
    entry.members.set(memberKey(c, tab), { state, changedAt: now, connection: c });
    entry.updatedAt = now;
    return entry;
  }

  /** A member reports new presence; false when it is not a member. */
  update(
    c: FakeConnection,
    tab: string,
    userId: string,
    state: PresenceState,
    now: number,
  ): boolean {
    const entry = this.people.get(userId);
    const key = memberKey(c, tab);
    const member = entry?.members.get(key);
    if (!entry || !member) return false;
    // As on the reference server: an activity's start moves only when the activity changes.
    const changedAt = sameActivity(member.state.activity, state.activity) ? member.changedAt : now;
    entry.members.set(key, { state, changedAt, connection: c });
    entry.updatedAt = now;
    return true;
  }

  /** Is this tab of the connection (`''`: the connection itself) in the room? */
  holds(c: FakeConnection, tab: string): boolean {
    return this.tabs.get(c)?.has(tab) === true;
  }

  /** The tabs of a connection in the room. */
  tabsOf(c: FakeConnection): string[] {
    return [...(this.tabs.get(c) ?? [])];
  }

  /**
   * One tab of a connection leaves (the connection with its last tab); returns its person's entry
   * when it was a member.
   */
  exit(c: FakeConnection, tab: string, userId: string): PersonEntry | undefined {
    const tabs = this.tabs.get(c);
    tabs?.delete(tab);
    if (!tabs || tabs.size === 0) {
      this.tabs.delete(c);
      this.members.delete(c);
    }
    const entry = this.people.get(userId);
    return entry?.members.delete(memberKey(c, tab)) ? entry : undefined;
  }

  /** The aggregated, wire-shaped presence of one person. */
  person(entry: PersonEntry): Person {
    const members = [...entry.members.values()];
    const scripted = entry.scripted;
    // The reference server's rule; a scripted person counts as one part that started before
    // any real connection's activity.
    const parts: PresencePart[] = members.map((m) => ({
      status: m.state.status,
      activity: m.state.activity,
      activityAt: m.changedAt,
      inCall: m.state.inCall,
    }));
    if (scripted) parts.unshift({ ...scripted, activityAt: -Infinity });
    const { status, activity, inCall } = aggregatePresence(parts);
    const devices = new Set(members.map((m) => m.connection.clientId ?? m.connection.id));
    const person: Person = {
      user: entry.user,
      status,
      activity,
      connections: members.length + (scripted?.connections ?? 0),
      devices: devices.size + (scripted?.devices ?? 0),
      since: entry.since,
      updatedAt: entry.updatedAt,
    };
    if (inCall) person.inCall = true;
    return person;
  }

  snapshot(): Person[] {
    return [...this.people.values()].map((entry) => this.person(entry));
  }

  /** What a joiner is told: the first people, and how many there are when that is not all. */
  listed(): { people: Person[]; total?: number } {
    const people = firstPeople(this.snapshot(), PRESENCE_LISTED);
    return people.length < this.people.size ? { people, total: this.people.size } : { people };
  }

  /** What the members must be told now that the people changed, if they would notice. */
  change(): PresenceChange | undefined {
    return this.told.next(this.snapshot(), this.people.size).change;
  }
}

function memberKey(c: FakeConnection, tab: string): string {
  return tab === '' ? c.id : `${c.id}/${tab}`;
}
