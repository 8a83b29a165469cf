/**
 * The entity routes of the HTTP API, for backends that change records outside the kit (the CRM's
 * own forms). Changes go through the same service as clients' updates: same versioning, same
 * conflict rules, published to the entity's room as `entity.change` with `source: 'backend'`.
 *
 * | route                            | what                                                       |
 * |----------------------------------|------------------------------------------------------------|
 * | `GET /api/entities/:type`        | a page of entities of a type (`?limit=` ≤ 500, `?offset=`) |
 * | `GET /api/entities/:type/:id`    | one entity                                                 |
 * | `PUT /api/entities/:type/:id`    | create, or replace (fields absent from the body → null)    |
 * | `PATCH /api/entities/:type/:id`  | change the named fields of an existing entity              |
 * | `DELETE /api/entities/:type/:id` | delete it and its history (204; 404 when unknown)          |
 *
 * A write body is `{ fields, baseVersion?, mutationId?, actor? }`. With `baseVersion`, fields
 * changed since then conflict (409 with the conflicts); without it, the write lands on top of the
 * current version (last writer wins for the named fields).
 */
import * as z from 'zod/mini';
import { EntityId, EntityType, Fields, MutationId, UserProfile } from '../../protocol/index.js';
import {
  ApiError,
  validate,
  type ApiRequest,
  type ApiResponse,
  type HttpApi,
} from '../http-api.js';
import type { EntityService, EntityUpdateOutcome } from './entity-service.js';
import type { WriteThrough } from './write-through.js';

const WriteBody = z.strictObject({
  fields: Fields,
  baseVersion: z.optional(z.number().check(z.int(), z.nonnegative())),
  mutationId: z.optional(MutationId),
  /** Who made the change in the backend, shown in the activity feed and conflicts. */
  actor: z.optional(UserProfile),
});

const DEFAULT_PAGE = 50;
const MAX_PAGE = 500;

function target(request: ApiRequest): { type: string; id: string } {
  return {
    type: validate(EntityType, request.params['type'], 'entity type'),
    id: validate(EntityId, request.params['id'], 'entity id'),
  };
}

function pageNumber(raw: string | null, name: string, fallback: number, max: number): number {
  if (raw === null || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0 || value > max) {
    throw new ApiError(400, 'bad_request', `${name} must be an integer from 0 to ${max}`);
  }
  return value;
}

function answer(outcome: EntityUpdateOutcome, room: string): ApiResponse {
  switch (outcome.kind) {
    case 'applied':
      return {
        status: outcome.created ? 201 : 200,
        body: {
          entity: outcome.entity,
          changed: outcome.change?.changed ?? [],
          duplicate: outcome.duplicate,
        },
      };
    case 'conflict':
      throw new ApiError(409, 'conflict', `fields of ${room} changed since the base version`, {
        conflicts: outcome.conflicts,
        current: outcome.current,
      });
    case 'not_found':
      throw new ApiError(404, 'not_found', `no entity ${room}`);
    case 'too_large':
      throw new ApiError(413, 'payload_too_large', outcome.message);
    case 'refused':
      // The backend's writes carry no field rules (`refusedFields`): answered so only when its
      // mutation id is one a client's save was refused with.
      throw new ApiError(403, 'forbidden', `changes to ${room} refused`);
  }
}

/** Adds the entity routes to the API. */
export function registerEntityRoutes(
  api: HttpApi,
  entities: EntityService,
  writeThrough?: WriteThrough,
): void {
  const write = async (request: ApiRequest, replace: boolean): Promise<ApiResponse> => {
    const { type, id } = target(request);
    const body = validate(WriteBody, request.body, 'body');
    // With write-through, a record being read for the first time takes the backend's write
    // after that read is stored (see `WriteThrough.afterFirstRead`).
    await writeThrough?.afterFirstRead(type, id);
    const outcome = await entities.update({
      type,
      id,
      fields: body.fields,
      baseVersion: body.baseVersion,
      mutationId: body.mutationId,
      by: body.actor,
      source: 'backend',
      // PUT creates or replaces; PATCH changes an existing entity.
      create: replace,
      replace,
    });
    return answer(outcome, `${type}:${id}`);
  };

  api
    .route('GET', '/api/entities/:type', async (request) => {
      const type = validate(EntityType, request.params['type'], 'entity type');
      const limit = pageNumber(request.query.get('limit'), 'limit', DEFAULT_PAGE, MAX_PAGE);
      const offset = pageNumber(request.query.get('offset'), 'offset', 0, Number.MAX_SAFE_INTEGER);
      const { items, total } = await entities.list(type, { limit, offset });
      return { status: 200, body: { items, total, limit, offset } };
    })
    .route('GET', '/api/entities/:type/:id', async (request) => {
      const { type, id } = target(request);
      const entity = await entities.get(type, id);
      if (!entity) throw new ApiError(404, 'not_found', `no entity ${type}:${id}`);
      return { status: 200, body: { entity } };
    })
    .route('PUT', '/api/entities/:type/:id', (request) => write(request, true))
    .route('PATCH', '/api/entities/:type/:id', (request) => write(request, false))
    // The CRM deleted the record: the server's copy goes, and the pages showing it are told
    // (`entity.deleted`). A repeat finds nothing: 404, which a retrying backend takes as done.
    .route('DELETE', '/api/entities/:type/:id', async (request) => {
      const { type, id } = target(request);
      await writeThrough?.afterFirstRead(type, id);
      if (!(await entities.delete(type, id))) {
        throw new ApiError(404, 'not_found', `no entity ${type}:${id}`);
      }
      return { status: 204 };
    });
}
