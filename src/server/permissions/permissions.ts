/**
 * The permissions of one connection, from the token's claim and the authorization callback, on
 * top of the server's hook: one `authorize` hook the handlers ask (every source must say yes), and
 * the `visibility` every outbound frame is redacted by.
 *
 * Without a claim in the token and without a callback, a connection has no permissions object:
 * the server's hook decides alone and nothing is redacted (the behaviour before permissions).
 */
import type { AuthorizeHook, AuthorizeRequest } from '../authorize.js';
import type { AuthorizeCallback } from './callback.js';
import { RoomGrants, type PermissionsClaim } from './claims.js';
import { FieldPolicy } from './field-policy.js';
import type { Visibility } from './redact.js';

export interface ConnectionPermissions {
  readonly authorize: AuthorizeHook;
  readonly visibility: Visibility;
}

export function connectionPermissions(
  hook: AuthorizeHook,
  claim: PermissionsClaim | undefined,
  callback: AuthorizeCallback | undefined,
): ConnectionPermissions | undefined {
  if (!claim && !callback) return undefined;
  const fields = new FieldPolicy();
  fields.merge(claim?.fields);
  const grants = claim?.rooms ? new RoomGrants(claim.rooms) : undefined;
  const visibility: Visibility = {
    fields,
    grants,
    grantsKey: claim?.rooms ? JSON.stringify(claim.rooms) : undefined,
  };
  const ask = (request: AuthorizeRequest): Promise<boolean> =>
    callback!.ask(request).then((answer) => {
      // Field rules of an allowed answer apply to this connection from now on.
      if (answer.allow) fields.merge(answer.fields);
      return answer.allow;
    });
  const authorize: AuthorizeHook = (request) => {
    if (grants && !grants.decide(request)) return false;
    const verdict = hook(request);
    if (!callback) return verdict;
    if (verdict === false) return false;
    if (verdict === true) return ask(request);
    return Promise.resolve(verdict).then((ok) => (ok === true ? ask(request) : false));
  };
  return { authorize, visibility };
}

/** The hook to ask for this connection: its permissions' when it has them, else the server's. */
export function hookFor(
  serverHook: AuthorizeHook,
  connection: { readonly permissions: ConnectionPermissions | undefined },
): AuthorizeHook {
  return connection.permissions?.authorize ?? serverHook;
}
