/**
 * Shared by the permission tests: a server that accepts HS256 tokens (and development identities
 * for bystanders), tokens that carry a permissions claim, and the entity requests.
 */
import assert from 'node:assert/strict';
import { SignJWT, type JWTPayload } from 'jose';
import type { FrameOf, ServerFrame } from '../../../../src/protocol/index.js';
import type { CreateServerOptions } from '../../../../src/server/server.js';
import { nextId, TestClient } from '../../helpers/server-client.js';
import { startHarness, type Harness } from '../../helpers/server-harness.js';

export const SECRET = 'permissions-test-secret-of-32-bytes-or-more';

export function startPermissionHarness(
  options: Partial<CreateServerOptions> = {},
): Promise<Harness> {
  return startHarness({ auth: { jwtSecret: SECRET, devIdentities: true }, ...options });
}

/** A token for `sub` valid an hour from the harness clock's now, with extra claims. */
export function token(h: Harness, sub: string, claims: JWTPayload = {}): Promise<string> {
  const now = Math.floor(h.clock.now() / 1000);
  return new SignJWT({ name: sub, ...claims })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(sub)
    .setIssuedAt(now)
    .setExpirationTime(now + 3600)
    .sign(new TextEncoder().encode(SECRET));
}

/** Connects as `sub` with a token carrying `claims`. */
export async function connectWith(
  h: Harness,
  sub: string,
  claims: JWTPayload = {},
): Promise<TestClient> {
  const client = await TestClient.connect(h.url, {
    token: await token(h, sub, claims),
    clientId: `device-${sub}-${nextId('d')}`,
  });
  h.clients.push(client);
  return client;
}

export async function seedCustomer(
  h: Harness,
  id = '42',
  fields: Record<string, string> = {},
): Promise<void> {
  const outcome = await h.server.entities.update({
    type: 'customer',
    id,
    fields: { name: 'Acme', revenue: '1000', notes: 'secret plans', phone: '100', ...fields },
    source: 'backend',
    create: true,
  });
  assert.equal(outcome.kind, 'applied');
}

export function update(
  client: TestClient,
  fields: Record<string, string>,
  baseVersion: number,
  entityId = '42',
): Promise<ServerFrame> {
  return client.request({
    type: 'entity.update',
    id: nextId('u'),
    mutationId: nextId('mutation-').padEnd(8, '0'),
    entityType: 'customer',
    entityId,
    baseVersion,
    fields,
  });
}

export function get(client: TestClient, entityId = '42'): Promise<ServerFrame> {
  return client.request({ type: 'entity.get', id: nextId('g'), entityType: 'customer', entityId });
}

export function join(client: TestClient, room: string): Promise<ServerFrame> {
  return client.request({ type: 'join', id: nextId('join'), room });
}

export function as<T extends ServerFrame['type']>(
  frame: ServerFrame,
  type: T,
): FrameOf<ServerFrame, T> {
  assert.equal(frame.type, type, JSON.stringify(frame));
  return frame as FrameOf<ServerFrame, T>;
}

/** Every frame a client received, as text: what "never reaches the user" is checked against. */
export function received(client: TestClient): string {
  return client.frames.map((f) => JSON.stringify(f)).join('\n');
}
