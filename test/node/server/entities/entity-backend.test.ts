/**
 * How the server reads a CRM backend's answer to a save (`EntityBackend.write`), against a fake
 * `fetch`: backends speak their framework's dialect, so every answer whose meaning its status
 * makes clear is taken as meant — a 204 is a success, a 400 a refusal with the backend's messages
 * (too long ones cut, not dropped), a 409 without values a conflict to read — and only an answer
 * that leaves an accepted save's values unknown, or says nothing, is `unavailable`.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  EntityBackend,
  GENERIC_FIELD_REFUSAL,
  GENERIC_REFUSAL,
  type BackendWrite,
  type BackendWriteAnswer,
} from '../../../../src/server/entities/entity-backend.js';

const save: BackendWrite = {
  type: 'customer',
  id: '42',
  fields: { phone: '12', email: 'a@b' },
  base: { phone: '+1 555-010-0100', email: 'a@acme.test' },
  baseVersion: 3,
  mutationId: 'm-0123456789',
  user: { id: 'ada', name: 'Ada' },
};

/** The backend's answer to a save: `body` a string is sent as is, anything else as JSON. */
async function answer(
  status: number,
  body?: unknown,
  options: { key?: string; headers?: Record<string, string>; now?: number } = {},
): Promise<BackendWriteAnswer> {
  const text = body === undefined ? null : typeof body === 'string' ? body : JSON.stringify(body);
  const backend = new EntityBackend({
    url: 'http://crm.test',
    key: options.key,
    fetch: async () => new Response(text, { status, headers: options.headers ?? {} }),
    now: () => options.now ?? Date.now(),
  });
  return backend.write(save);
}

const long = (n: number) => 'x'.repeat(n);

describe('a backend’s answer to a save', () => {
  describe('success', () => {
    it('a 2xx without a body (204 included) is accepted like an empty 200', async () => {
      for (const status of [200, 201, 204]) {
        assert.deepEqual(await answer(status), { kind: 'accepted', fields: {} }, `${status}`);
      }
      assert.deepEqual(await answer(200, { fields: { phone: '+12' } }), {
        kind: 'accepted',
        fields: { phone: '+12' },
      });
    });

    it('a 2xx whose body is not the documented JSON stays unavailable: the stored values are unknown', async () => {
      for (const [body, reason] of [
        [{ fields: null }, /not as documented/],
        ['<html><body>Saved!</body></html>', /not JSON/],
        ['{"fields": {"phone": "+1', /not JSON/],
      ] as const) {
        const got = await answer(200, body);
        assert.equal(got.kind, 'unavailable', JSON.stringify(body));
        assert.match(got.kind === 'unavailable' ? got.reason : '', reason);
      }
    });
  });

  describe('refusals', () => {
    it('a 400 is a refusal like a 422, with the backend’s messages', async () => {
      for (const status of [400, 422]) {
        assert.deepEqual(
          await answer(status, { errors: { phone: 'bad' } }),
          { kind: 'rejected', errors: { phone: 'bad' }, message: undefined },
          `${status}`,
        );
      }
    });

    it('cuts messages longer than the protocol carries instead of dropping the refusal', async () => {
      const got = await answer(422, { message: long(600), errors: { phone: long(501) } });
      assert.equal(got.kind, 'rejected');
      if (got.kind !== 'rejected') return;
      assert.equal(got.message, `${long(499)}…`);
      assert.equal(got.errors['phone'], `${long(499)}…`);
    });

    it('never cuts an emoji in half', async () => {
      const got = await answer(422, { message: `${long(498)}😀😀` });
      assert.equal(got.kind === 'rejected' && got.message, `${long(498)}…`);
    });

    it('errors naming no field of the save become the message; a list of strings joins', async () => {
      assert.deepEqual(await answer(422, { errors: ['Phone is bad', 'Email too'] }), {
        kind: 'rejected',
        errors: {},
        message: 'Phone is bad; Email too',
      });
      assert.deepEqual(
        await answer(422, { errors: { 'Not a field!': 'locked', phone: ['short', 'digits'] } }),
        { kind: 'rejected', errors: { phone: 'short; digits' }, message: 'Not a field!: locked' },
      );
      assert.deepEqual(
        await answer(422, {
          errors: [{ field: 'email', message: 'no domain' }, { detail: 'record locked' }],
          message: 'Please check the form',
        }),
        { kind: 'rejected', errors: { email: 'no domain' }, message: 'Please check the form' },
      );
    });

    it('a refusal that says nothing usable still refuses, with a generic message', async () => {
      for (const body of [undefined, {}, { errors: [] }, '<h1>Bad Request</h1>', { errors: 7 }]) {
        assert.deepEqual(
          await answer(400, body),
          { kind: 'rejected', errors: {}, message: GENERIC_REFUSAL },
          JSON.stringify(body),
        );
      }
      assert.deepEqual(await answer(422, { errors: { phone: '' } }), {
        kind: 'rejected',
        errors: { phone: GENERIC_FIELD_REFUSAL },
        message: undefined,
      });
    });
  });

  describe('conflicts', () => {
    it('a 409 with the backend’s values carries them (and who, when valid)', async () => {
      assert.deepEqual(
        await answer(409, { current: { phone: '+9' }, changedBy: { id: 'crm', name: 'CRM' } }),
        { kind: 'conflict', current: { phone: '+9' }, changedBy: { id: 'crm', name: 'CRM' } },
      );
      assert.deepEqual(await answer(409, { current: { phone: '+9' }, changedBy: 'the desk' }), {
        kind: 'conflict',
        current: { phone: '+9' },
        changedBy: undefined,
      });
    });

    it('a 409 without usable values is still a conflict, its values unknown', async () => {
      for (const body of [undefined, {}, { current: {} }, { current: null }, 'Conflict']) {
        assert.deepEqual(
          await answer(409, body),
          { kind: 'conflict', current: undefined, changedBy: undefined },
          JSON.stringify(body),
        );
      }
    });
  });

  describe('the server’s key', () => {
    it('a 401 is unavailable (the saves wait), marked as the key setting to fix', async () => {
      const wrong = await answer(401, { error: 'unauthorized' }, { key: 'k'.repeat(20) });
      assert.equal(wrong.kind, 'unavailable');
      assert.equal(wrong.kind === 'unavailable' && wrong.misconfigured, true);
      assert.match(wrong.kind === 'unavailable' ? wrong.reason : '', /CRM_ENTITY_BACKEND_KEY/);
      const none = await answer(401);
      assert.match(
        none.kind === 'unavailable' ? none.reason : '',
        /CRM_ENTITY_BACKEND_KEY is not set/,
      );
    });

    it('a 403 stays the user’s refusal', async () => {
      assert.deepEqual(await answer(403), { kind: 'forbidden' });
    });
  });

  it('other statuses stay unavailable', async () => {
    for (const status of [429, 500, 502, 503]) {
      const got = await answer(status, { message: 'try later' });
      assert.equal(got.kind, 'unavailable', `${status}`);
      assert.equal(got.kind === 'unavailable' && got.misconfigured, undefined);
      assert.equal(got.kind === 'unavailable' && got.retryAfterMs, undefined, 'no wait named');
    }
  });

  describe('when the backend says it takes saves again (Retry-After)', () => {
    const waitOf = (got: BackendWriteAnswer) =>
      got.kind === 'unavailable' ? got.retryAfterMs : `answered ${got.kind}`;

    it('a 503 or a 429 names its wait in seconds', async () => {
      assert.equal(waitOf(await answer(503, '', { headers: { 'retry-after': '20' } })), 20_000);
      assert.equal(waitOf(await answer(429, '', { headers: { 'retry-after': ' 5 ' } })), 5000);
    });

    it('or as an HTTP date, read against the server’s time', async () => {
      const now = Date.UTC(2026, 11, 7, 12, 0, 0);
      const at = new Date(now + 30_000).toUTCString();
      assert.equal(waitOf(await answer(503, '', { headers: { 'retry-after': at }, now })), 30_000);
    });

    it('as an HTTP date on the backend’s clock: read against its answer’s Date, not the server’s', async () => {
      // The backend's clock is five minutes ahead of the server's.
      const now = Date.UTC(2026, 11, 7, 12, 0, 0);
      const backendNow = now + 300_000;
      const headers = {
        'retry-after': new Date(backendNow + 30_000).toUTCString(),
        date: new Date(backendNow).toUTCString(),
      };
      assert.equal(waitOf(await answer(503, '', { headers, now })), 30_000);
      // Five minutes behind: "in 30 s" is not a date already past.
      const behind = now - 300_000;
      const late = {
        'retry-after': new Date(behind + 30_000).toUTCString(),
        date: new Date(behind).toUTCString(),
      };
      assert.equal(waitOf(await answer(429, '', { headers: late, now })), 30_000);
    });

    it('is at most a minute: a maintenance window of hours would hold every save that long', async () => {
      assert.equal(waitOf(await answer(503, '', { headers: { 'retry-after': '7200' } })), 60_000);
    });

    it('names none for another status, a date past, zero or a header it cannot read', async () => {
      const now = Date.UTC(2026, 11, 7, 12, 0, 0);
      const past = new Date(now - 1000).toUTCString();
      for (const [status, header] of [
        [500, '20'],
        [502, '20'],
        [503, past],
        [503, '0'],
        [503, 'soon'],
        [503, '-5'],
      ] as const) {
        const got = await answer(status, '', { headers: { 'retry-after': header }, now });
        assert.equal(waitOf(got), undefined, `${status} Retry-After: ${header}`);
      }
    });
  });
});
