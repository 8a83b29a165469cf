/**
 * HTTP API for backends (API key, see `http-api.ts`) about one user's open connections, on every
 * process (`user-control.ts`):
 *
 * - `POST /api/users/:id/disconnect`, body optional `{ "revokeTokens"?: boolean }` (default
 *   true): closes every connection of the user now (`invalid_token`, close 1008) and, unless
 *   `revokeTokens` is false, refuses the tokens issued until now for `CRM_REVOCATION_TTL_S`.
 *   200 `{ user, connections, revokedAt? }` (connections closed by the process that answered).
 * - `POST /api/users/:id/permissions-changed`, no body: forgets the authorization callback's
 *   answers about the user and asks again about every room they hold; refused rooms are left.
 *   200 `{ user, connections, roomsLeft }` (on the process that answered).
 *
 * Both are idempotent: a backend that got no answer (a 503 while Redis was away) sends again.
 */
import * as z from 'zod/mini';
import { UserId } from '../protocol/index.js';
import { validate, type HttpApi } from './http-api.js';
import type { UserControl } from './user-control.js';

const DisconnectBody = z.strictObject({ revokeTokens: z.optional(z.boolean()) });
const NoBody = z.strictObject({});

export function registerUserRoutes(api: HttpApi, users: UserControl): void {
  api.route(
    'POST',
    '/api/users/:id/disconnect',
    async ({ params, body }) => {
      const user = validate(UserId, params.id, 'user id');
      const { revokeTokens = true } = validate(DisconnectBody, body ?? {}, 'body');
      const result = await users.disconnect(user, revokeTokens);
      return { status: 200, body: { user, ...result } };
    },
    { bodyOptional: true },
  );
  api.route(
    'POST',
    '/api/users/:id/permissions-changed',
    async ({ params, body }) => {
      const user = validate(UserId, params.id, 'user id');
      validate(NoBody, body ?? {}, 'body');
      const result = await users.permissionsChanged(user);
      return { status: 200, body: { user, ...result } };
    },
    { bodyOptional: true },
  );
}
