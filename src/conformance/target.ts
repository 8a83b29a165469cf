/**
 * What a conformance check is run against: a server at a URL, with credentials for a few users,
 * and whatever control of the server the runner has. The repository's tests run the checks
 * against the reference server in-process, with its clock and configuration in hand; the
 * `crm-realtime-conformance` command runs the same checks against any server at a URL, which it
 * cannot configure, so checks that need such control are skipped there with the reason.
 */
import type { UserProfile } from '../protocol/index.js';
import type { OpenSocket, Peer } from './peer.js';

/** What a check may need beyond a server at a URL and credentials; a target lacking one skips it. */
export const NEEDS = {
  tokens: 'credentials that are tokens, on a server that refuses a `devUser` without one',
  'expired-token': 'an expired token the server signed (--expired-token)',
  shutdown: 'shutting the server down (a bye, then close 1001)',
  seed: 'customer 42 stored by the backend at version 1 (email, phone)',
  'slow-join': 'a room whose join authorization the server holds unanswered',
  'small-presence-limit': 'a server configured with maxPresenceBytes 64',
  reference:
    "the reference server's choice where the protocol allows either (frames after hello wait for welcome)",
} as const;

export type Need = keyof typeof NEEDS;

/**
 * How the in-process runner configures the reference server for one check. A server at a URL is
 * as it is: checks only ask for what leaves the document's answers as the document shows them.
 */
export interface ServerSetup {
  /** The server's ping interval (the worked example's welcome shows 30000). */
  heartbeatMs?: number;
  /** Accept `devUser` besides tokens (development-identity mode). */
  devIdentities?: boolean;
  maxPresenceBytes?: number;
  /** ICE servers that `call.config` answers with. */
  iceServers?: { urls: string }[];
}

export type Credentials = { token: string } | { devUser: UserProfile };

export interface Target {
  /** The text of docs/protocol.md, whose frames some checks replay. */
  readonly doc: string;
  /** The server's URL (for messages). */
  readonly url: string;
  /** How long to wait for one frame or a close, in milliseconds. */
  readonly waitMs: number;
  /**
   * Whether the server is the reference server with the document's defaults: error messages,
   * the heartbeat, `bye.reconnectMs` and the limits are then compared as the document shows them
   * too; another server's are its own.
   */
  readonly strict: boolean;
  readonly openSocket: OpenSocket;
  /** The hello fields that identify user 0 (the document's Ada), 1 (Bob) or 2. */
  credentials(user: number): Promise<Credentials>;
  /** The room on this server that stands for the document's `name` (`customer:42`, …). */
  room(name: string): string;
  /**
   * Lets `ms` pass on the server's clock. On a real clock `realMs`, when given, is enough: the
   * check needs only that some time passed, not all of it.
   */
  elapse(ms: number, realMs?: number): Promise<void>;
  /** Resolves once the server has read everything `peer` sent, without sending a frame. */
  settle(peer: Peer): Promise<void>;
  has(need: Need): boolean;
  /** With `expired-token`: a token of `user` the server signed and that has expired. */
  expiredToken?(user: number): Promise<string>;
  /** With `shutdown`: shuts the server down as a redeploy does. */
  shutdown?(): Promise<void>;
  /** With `seed`: stores an entity as the CRM backend would. */
  seed?(type: string, id: string, fields: Record<string, string>): Promise<void>;
  /** With `slow-join`: the room, and lets its held join be answered. */
  slowJoin?: { room: string; release(): void };
}
