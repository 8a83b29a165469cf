/**
 * Every subject a token may carry is servable: the `sub` formats of common identity
 * providers (Auth0, Google through Auth0, e-mail subjects, Azure AD, Okta, Cognito, Keycloak) are
 * welcomed, their private `user:<sub>` room can be joined, and a notification sent to that user
 * arrives live. A subject no room could name (control characters) is refused at the handshake.
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { SignJWT } from 'jose';
import { PROTOCOL_VERSION, userRoom } from '../../../src/protocol/index.js';
import { TestClient } from '../helpers/server-client.js';
import { startHarness, type Harness } from '../helpers/server-harness.js';

const SECRET = 'test-secret-of-sufficient-length-for-hs256';

const SUBJECTS: Record<string, string> = {
  auth0: 'auth0|5f7c8ec7c33c6c004bbafe82',
  'google via auth0': 'google-oauth2|103547991597142817347',
  'saml via auth0': 'samlp|corp-sso|jane.doe@corp.example',
  'e-mail': 'a+b@example.com',
  'azure ad': '9f3c2a1e-5b7d-4c8e-a6f0-1d2e3f4a5b6c',
  'azure ad (pairwise)': 'AAAAAAAAAAAAAAAAAAAAAIkzqFVrSaSaFHy782bbtaQ',
  okta: '00u1abcd2EFGH3ijk4x7',
  cognito: 'c7a1b2d3-e4f5-4a6b-8c7d-9e0f1a2b3c4d',
  keycloak: 'f:7e2b5c1a-0d9e-4f3b-8a6c-2d1e0f9a8b7c:jdoe',
  'with spaces and accents': 'Jörg Müller',
};

function sign(sub: string, now: number): Promise<string> {
  const iat = Math.floor(now / 1000);
  return new SignJWT({ sub, name: 'Someone' })
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuedAt(iat)
    .setExpirationTime(iat + 600)
    .sign(new TextEncoder().encode(SECRET));
}

describe('server: subjects of common identity providers', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness({ auth: { jwtSecret: SECRET } });
  });
  afterEach(() => h.close());

  for (const [provider, sub] of Object.entries(SUBJECTS)) {
    test(`${provider} (${sub}): joins its user room and gets a notification live`, async () => {
      const client = await TestClient.connect(h.url, { token: await sign(sub, h.clock.now()) });
      h.clients.push(client);
      assert.equal(client.ofType('welcome')[0]?.user.id, sub);
      await client.join(userRoom(sub));
      await h.server.notifications.send({
        target: { user: sub },
        type: 'info',
        priority: 'normal',
        title: `Hello ${provider}`,
      });
      const event = await client.next((f) => f.type === 'event' && f.event === 'notification');
      assert.equal(event.type === 'event' && event.room, userRoom(sub));
    });
  }

  test('a subject with a control character is refused at the handshake, not welcomed', async () => {
    const client = await h.open();
    client.send({
      type: 'hello',
      id: 'h1',
      v: PROTOCOL_VERSION,
      clientId: 'c1',
      token: await sign('evil\nsub', h.clock.now()),
    });
    const answer = await client.next((f) => f.type === 'error' || f.type === 'welcome');
    assert.equal(answer.type, 'error', JSON.stringify(answer));
    await client.waitClosed();
  });
});
