/**
 * Every key and channel the server keeps in Redis, named in one place (docs/deploy.md lists them).
 *
 * Room names are free text, so a key that holds two names puts the length of the first in front
 * of it: `room "a:b" user "c"` and `room "a" user "b:c"` can never share a key.
 */
export interface RedisKeys {
  /** Hash `{ seq, base }`: the room's sequence number and where this run of it started. */
  seq(room: string): string;
  /** Stream of the room's recent event frames, kept for resume (entry id = `<seq>-0`). */
  log(room: string): string;
  /** What `log(room)` is with the room name left off (the scripts append it). */
  readonly logPrefix: string;
  /** Sorted set of the rooms with a replay window, scored by their oldest kept event's time. */
  readonly replayRooms: string;
  /** Hash: room → framed bytes its replay window keeps. */
  readonly replayBytes: string;
  /** Counter: framed bytes kept by all rooms' replay windows together. */
  readonly replayTotal: string;
  /** Pub/sub channel of the room: events, unsequenced frames and presence notices. */
  channel(room: string): string;
  /** Hash of one person's presence in a room: one field per process, plus `_v`. */
  person(room: string, userId: string): string;
  /** Set of the user ids with presence in a room. */
  people(room: string): string;
  /** Counter that orders presence writes (every room's), so a late notice never wins. */
  readonly presenceVersion: string;
  /** Set of the ids of processes holding presence. */
  readonly processes: string;
  /** Hash `{ tokens, last }`: an address's failed-handshake bucket, while it is not full. */
  authFailures(address: string): string;
  /**
   * Hash of the revocations kept (see `redis-revocations.ts`): `u:<user>` → `<revoked at> <until>`
   * (ms), and `loaded` once it holds every revocation the database keeps. No expiry, so an
   * eviction policy that takes only expiring keys never takes one; lost whole, it is filled again.
   */
  readonly revocations: string;
  /** Sorted set of the users in `revocations`, scored by when theirs ends, to sweep the expired. */
  readonly revocationsUntil: string;
  /** Pub/sub channel of commands about users' connections (disconnect, permissions changed). */
  readonly usersChannel: string;
  /** Key that exists while a process is alive (set with an expiry, renewed by its heartbeat). */
  alive(processId: string): string;
  /** Set of `[room, user]` JSON pairs a process holds presence for, so others can clean up. */
  holdings(processId: string): string;
  /**
   * Set of `<token> <room>` members: the rooms a process is about to commit a change for and
   * has not published it yet, so a process that finds it dead can make their members resume.
   */
  publishing(processId: string): string;
  /** What `seq(room)` is with the room name left off (the heartbeat script appends it). */
  readonly seqPrefix: string;
  /** What `channel(room)` is with the room name left off. */
  readonly channelPrefix: string;
}

export function redisKeys(prefix = 'crm:'): RedisKeys {
  return {
    seq: (room) => `${prefix}seq:${room}`,
    log: (room) => `${prefix}log:${room}`,
    logPrefix: `${prefix}log:`,
    replayRooms: `${prefix}replay-rooms`,
    replayBytes: `${prefix}replay-bytes`,
    replayTotal: `${prefix}replay-total`,
    channel: (room) => `${prefix}room:${room}`,
    person: (room, userId) => `${prefix}person:${room.length}:${room}:${userId}`,
    people: (room) => `${prefix}people:${room}`,
    presenceVersion: `${prefix}presence-version`,
    processes: `${prefix}processes`,
    authFailures: (address) => `${prefix}auth-failures:${address}`,
    revocations: `${prefix}revocations`,
    revocationsUntil: `${prefix}revocations-until`,
    usersChannel: `${prefix}users`,
    alive: (processId) => `${prefix}alive:${processId}`,
    holdings: (processId) => `${prefix}holdings:${processId}`,
    publishing: (processId) => `${prefix}publishing:${processId}`,
    seqPrefix: `${prefix}seq:`,
    channelPrefix: `${prefix}room:`,
  };
}
