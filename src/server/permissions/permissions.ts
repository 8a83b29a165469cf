/**
 * The permissions of one connection, from the token's claim and the authorization callback, on
 * top of the server's hook: one `authorize` hook the handlers ask (every source must say yes), and
 * the `visibility` every outbound frame is redacted by.
 *
 * Without a claim in the token, without a callback and with the default hook, a connection has no
 * permissions object: nothing is redacted and broadcasts take the fast path. A hook of the
 * server's own, or a callback, also decides which activity items and notifications about entities
 * reach the connection through rooms that name no entity (`EntityReads`).
 */
import type { UserProfile } from '../../protocol/index.js';
import { authorizeAction, type AuthorizeHook, type AuthorizeRequest } from '../authorize.js';
import { askedByServer } from './callback-limit.js';
import type { AuthorizeCallback } from './callback.js';
import { RoomGrants, type PermissionsClaim } from './claims.js';
import { EntityReads } from './entity-reads.js';
import { FieldPolicy } from './field-policy.js';
import type { Visibility } from './redact.js';

/** Who the connection is, and whether the server's hook is its own (not the default). */
export interface ReadingOptions {
  readonly user: UserProfile;
  readonly customHook: boolean;
  /** Told when the hook throws or rejects while asked about reading an entity (a refusal). */
  readonly onError?: (room: string, err: unknown) => void;
}

export interface ConnectionPermissions {
  readonly authorize: AuthorizeHook;
  readonly visibility: Visibility;
}

export function connectionPermissions(
  hook: AuthorizeHook,
  claim: PermissionsClaim | undefined,
  callback: AuthorizeCallback | undefined,
  reading?: ReadingOptions,
): ConnectionPermissions | undefined {
  const user = reading && (reading.customHook || callback) ? reading.user : undefined;
  if (!claim && !callback && !user) return undefined;
  const fields = new FieldPolicy(claim?.fields);
  const grants = claim?.rooms ? new RoomGrants(claim.rooms) : undefined;
  const reads = user
    ? new EntityReads(
        // Reading an entity's items takes what reading the entity does (`entity.get`).
        // The entities come from the CRM's data, not from the client: the server asks them.
        (room) => askedByServer(() => authorizeAction(authorize, user, 'read', room)),
        reading?.onError,
      )
    : undefined;
  const visibility: Visibility = {
    fields,
    grants,
    grantsKey: claim?.rooms ? JSON.stringify(claim.rooms) : undefined,
    reads,
  };
  const ask = (request: AuthorizeRequest): Promise<boolean> =>
    callback!.ask(request).then((answer) => {
      // Field rules of an allowed answer apply to this connection from now on (until a re-check
      // of its permissions replaces the callback's rules with its answers).
      if (answer.allow) fields.merge(answer.fields);
      return answer.allow;
    });
  function authorize(request: AuthorizeRequest): boolean | Promise<boolean> {
    if (grants && !grants.decide(request)) return false;
    const verdict = hook(request);
    if (!callback) return verdict;
    if (verdict === false) return false;
    if (verdict === true) return ask(request);
    return Promise.resolve(verdict).then((ok) => (ok === true ? ask(request) : false));
  }
  return { authorize, visibility };
}

/** The hook to ask for this connection: its permissions' when it has them, else the server's. */
export function hookFor(
  serverHook: AuthorizeHook,
  connection: { readonly permissions: ConnectionPermissions | undefined },
): AuthorizeHook {
  return connection.permissions?.authorize ?? serverHook;
}
