/**
 * Permissions carried by the token: a `crm` claim (its name is configurable) saying which rooms a
 * user may join, read, write and emit in, and which fields of which entity types they may only
 * read or may not see.
 *
 * ```json
 * {
 *   "sub": "u1",
 *   "crm": {
 *     "rooms": { "customer:*": ["join", "read", "write"], "activity:*": ["join"] },
 *     "fields": { "customer": { "readOnly": ["revenue"], "hidden": ["notes"] } }
 *   }
 * }
 * ```
 *
 * - `rooms` maps room patterns to actions. `*` stands for any run of characters (`customer:*`,
 *   `*`); the actions of every matching pattern add up. With `rooms`, a room no pattern grants is
 *   refused; without it, rooms are not restricted by the claim (only fields are).
 * - Actions: `join` (the room, its presence and events), `read` (the entity a room like
 *   `customer:42` names: snapshots, and needed to join it), `write` (`entity.update`), `emit`
 *   (custom events). `notify` is not governed by claims (the hook and the callback decide).
 * - `user:<id>` rooms are left to the authorization hook (by default: one's own only).
 * - `fields` maps entity types to `readOnly` and `hidden` field names; hidden fields are removed
 *   from everything the server sends this user, and neither may be written.
 */
import * as z from 'zod/mini';
import type { AuthorizeRequest } from '../authorize.js';
import { FieldRulesByType } from './field-policy.js';

export const ROOM_ACTIONS = ['join', 'read', 'write', 'emit'] as const;
export type RoomAction = (typeof ROOM_ACTIONS)[number];

export const PermissionsClaim = z.object({
  rooms: z.optional(
    z
      .record(
        z.string().check(z.minLength(1), z.maxLength(200)),
        z.array(z.enum(ROOM_ACTIONS)).check(z.maxLength(ROOM_ACTIONS.length * 2)),
      )
      .check(z.refine((rooms) => Object.keys(rooms).length <= 200, 'at most 200 room patterns')),
  ),
  fields: z.optional(FieldRulesByType),
});
export type PermissionsClaim = z.infer<typeof PermissionsClaim>;

/** The default name of the claim (`CRM_PERMISSIONS_CLAIM`); Auth0 wants a namespaced URL. */
export const DEFAULT_PERMISSIONS_CLAIM = 'crm';

/** Parses the claim; a message naming the problem when it is malformed. */
export function parsePermissionsClaim(
  value: unknown,
): { ok: true; claim: PermissionsClaim } | { ok: false; reason: string } {
  const parsed = z.safeParse(PermissionsClaim, value);
  if (parsed.success) return { ok: true, claim: parsed.data };
  return { ok: false, reason: z.prettifyError(parsed.error).replace(/\s+/g, ' ').slice(0, 300) };
}

/** A room pattern as a whole-name regular expression: `*` is any run of characters. */
function patternRegex(pattern: string): RegExp {
  const source = pattern
    .split('*')
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${source}$`, 's');
}

/** Which rooms the claim grants which actions (undefined rooms: every room, as without claims). */
export class RoomGrants {
  private readonly patterns: { regex: RegExp; actions: ReadonlySet<RoomAction> }[];

  constructor(rooms: NonNullable<PermissionsClaim['rooms']>) {
    this.patterns = Object.entries(rooms).map(([pattern, actions]) => ({
      regex: patternRegex(pattern),
      actions: new Set(actions),
    }));
  }

  /** Whether some pattern matching `room` lists `action`. */
  allows(room: string, action: RoomAction): boolean {
    return this.patterns.some((p) => p.actions.has(action) && p.regex.test(room));
  }

  /** The claims' verdict on one hook request (see the module comment for what is governed). */
  decide(request: AuthorizeRequest): boolean {
    if (request.action === 'notify' || request.room.startsWith('user:')) return true;
    return this.allows(request.room, request.action);
  }
}
