/**
 * examples/crm-backend/server.mjs, the README's minimal CRM backend, really works with the
 * reference server: the program is started as a CRM team would (`node server.mjs`, a child
 * process on a free port), the server is pointed at it with the three integrations
 * (write-through, authorization callback, webhooks), and people talk to the server over real
 * WebSockets. A save is normalized by the backend and broadcast as normalized; a bad one comes
 * back as field errors and is stored nowhere; the backend got the accepted change's webhook and
 * verified its signature; its callback hides a field, keeps a field read-only and denies a room.
 */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import type { Fields, FrameOf, ServerFrame, UserProfile } from '../../../src/protocol/index.js';
import { systemClock } from '../../../src/server/clock.js';
import { DEMO_DATA_URL, demoEntities } from '../../../src/server/seed-demo.js';
import { signatureHeader } from '../../../src/server/webhooks/signature.js';
import { startHarness, type Harness } from '../helpers/server-harness.js';
import { nextId, type TestClient } from '../helpers/server-client.js';
import {
  EXAMPLE_AUTHORIZE_KEY as AUTHORIZE_KEY,
  EXAMPLE_ENTITY_KEY as ENTITY_KEY,
  EXAMPLE_PROGRAM as PROGRAM,
  EXAMPLE_WEBHOOK_SECRET as WEBHOOK_SECRET,
  startExample,
} from '../../services/crm-example.js';

// The example's people: Ana is a sales rep who owns customer 42, Ben the manager, Chloé support.
const ana: UserProfile = { id: 'ana', name: 'Ana Souza' };
const ben: UserProfile = { id: 'ben', name: 'Ben Carter' };
const chloe: UserProfile = { id: 'chloe', name: 'Chloé Martin' };

interface Delivery {
  id: string;
  event: string;
  verified: boolean;
  entity?: { type: string; id: string };
  version?: number;
  changed?: string[];
  source?: string;
  mutationId?: string;
}

describe('examples/crm-backend with the reference server', () => {
  let child: ChildProcess;
  let backend: string;
  let h: Harness;

  before(async () => {
    ({ child, url: backend } = await startExample());
    h = await startHarness({
      // Webhook signatures carry the time; the example checks it against its own clock.
      clock: systemClock,
      entityBackend: { url: backend, key: ENTITY_KEY, timeoutMs: 5000 },
      authorizeCallback: { url: `${backend}/authorize`, key: AUTHORIZE_KEY },
      webhooks: { url: `${backend}/webhooks`, secret: WEBHOOK_SECRET },
    });
  });

  after(async () => {
    await h?.close();
    if (child && child.exitCode === null) {
      const exited = once(child, 'exit');
      child.kill();
      await exited;
    }
  });

  const received = async (): Promise<{ deliveries: Delivery[]; refused: number }> =>
    (await fetch(`${backend}/webhooks/received`)).json() as Promise<{
      deliveries: Delivery[];
      refused: number;
    }>;

  const backendRecord = async (
    id: string,
    type = 'customer',
  ): Promise<Record<string, unknown>> => {
    const res = await fetch(`${backend}/entities/${type}/${id}`, {
      headers: { authorization: `Bearer ${ENTITY_KEY}` },
    });
    assert.equal(res.status, 200);
    return ((await res.json()) as { fields: Record<string, unknown> }).fields;
  };

  function update(
    socket: TestClient,
    id: string,
    fields: Fields,
    baseVersion: number,
    mutationId = nextId('mutation-'),
    entityType = 'customer',
  ): Promise<ServerFrame> {
    return socket.request({
      type: 'entity.update',
      id: nextId('upd'),
      mutationId,
      entityType,
      entityId: id,
      baseVersion,
      fields,
    });
  }

  async function snapshot(socket: TestClient, id: string, entityType = 'customer') {
    const reply = await socket.request({
      type: 'entity.get',
      id: nextId('get'),
      entityType,
      entityId: id,
    });
    assert.equal(reply.type, 'entity.snapshot', JSON.stringify(reply));
    return reply as FrameOf<ServerFrame, 'entity.snapshot'>;
  }

  it('holds every field the demo’s customer page shows, so its heading is not left with blanks', async () => {
    // The page prints the contact's name, job title and city in its heading and shows industry
    // and next step in the form: a record without them read "Margaret Holloway · ·" beside a
    // form that still showed the page's own printed title and city.
    for (const id of ['42', '7', '13']) {
      const fields = await backendRecord(id);
      for (const name of ['name', 'title', 'city', 'industry', 'nextStep']) {
        assert.equal(typeof fields[name], 'string', `customer ${id} has no ${name}`);
        assert.notEqual(fields[name], '', `customer ${id} has an empty ${name}`);
      }
    }
  });

  it('verifies webhooks with the very snippet of docs/webhooks.md', async () => {
    // The example is what CRM teams copy: its check must not drift from the documented one.
    const code = (text: string): string => {
      const start = text.indexOf('export function verifyCrmSignature(');
      const end = text.indexOf('\n}\n', start);
      assert.ok(start >= 0 && end > start, 'verifyCrmSignature is there');
      return text
        .slice(start, end + 2)
        .replace(/\/\*\*[\s\S]*?\*\//g, '')
        .replace(/\s+/g, '');
    };
    const doc = await readFile(new URL('../../../docs/webhooks.md', import.meta.url), 'utf8');
    const snippet = /<!-- verify-snippet:start -->\s*```js\n([\s\S]*?)```/.exec(doc)?.[1];
    assert.ok(snippet, 'docs/webhooks.md has the snippet');
    assert.equal(code(await readFile(PROGRAM, 'utf8')), code(snippet));
  });

  it('a valid save is normalized by the backend, broadcast as normalized, and delivered back signed', async () => {
    const a = await h.connect(ana);
    const b = await h.connect(ben);
    await b.join('customer:42');
    const before = await snapshot(a, '42');
    assert.equal(before.entity.fields['company'], 'Northwind Logistics', 'read through');

    const mutationId = nextId('mutation-');
    const reply = await update(
      a,
      '42',
      { phone: '0044 (20) 7946-0999', email: ' M.Holloway@Northwind.example ' },
      before.entity.version,
      mutationId,
    );
    assert.equal(reply.type, 'entity.ack', JSON.stringify(reply));
    const ack = reply as FrameOf<ServerFrame, 'entity.ack'>;
    assert.equal(ack.entity.fields['phone'], '+442079460999');
    assert.equal(ack.entity.fields['email'], 'm.holloway@northwind.example');

    const change = await b.next((f) => f.type === 'event' && f.event === 'entity.change');
    const text = JSON.stringify(change);
    assert.ok(text.includes('+442079460999'), 'Ben sees the backend’s phone');
    assert.ok(!text.includes('7946-0999'), 'never the phone as typed');
    assert.equal((await backendRecord('42'))['phone'], '+442079460999', 'the CRM stored it');

    // The server delivers the accepted change to the example's webhook, which verified it.
    // Delivery is asynchronous (after the commit): ask the example until it has it, bounded.
    let delivery: Delivery | undefined;
    const deadline = Date.now() + 5000;
    while (!delivery && Date.now() < deadline) {
      delivery = (await received()).deliveries.find(
        (d) => d.event === 'entity.change' && d.mutationId === mutationId,
      );
    }
    assert.ok(delivery, 'the example received the entity.change webhook');
    assert.equal(delivery.verified, true);
    assert.deepEqual(delivery.entity, { type: 'customer', id: '42' });
    assert.equal(delivery.version, ack.entity.version);
    assert.equal(delivery.source, 'client');
    assert.deepEqual([...(delivery.changed ?? [])].sort(), ['email', 'phone']);

    // It really checks: a delivery signed with another secret, or an old one, is refused.
    const body = JSON.stringify({ id: 'forged', kind: 'entity.change', data: {} });
    for (const signature of [
      signatureHeader('not-the-secret-0123456789', body, Date.now()),
      signatureHeader(WEBHOOK_SECRET, body, Date.now() - 3_600_000),
    ]) {
      const res = await fetch(`${backend}/webhooks`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-crm-delivery': 'forged',
          'x-crm-event': 'entity.change',
          'x-crm-signature': signature,
        },
        body,
      });
      assert.equal(res.status, 401);
    }
    const after = await received();
    assert.equal(after.refused, 2);
    assert.ok(!after.deliveries.some((d) => d.id === 'forged'));

    // A captured delivery sent again within the tolerance, under a made-up X-CRM-Delivery (the
    // header is not signed), is recognized by its body's id and not processed twice.
    const captured = JSON.stringify({ id: delivery.id, kind: 'entity.change', data: {} });
    const replay = await fetch(`${backend}/webhooks`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-crm-delivery': 'replayed-under-another-id',
        'x-crm-event': 'notification',
        'x-crm-signature': signatureHeader(WEBHOOK_SECRET, captured, Date.now()),
      },
      body: captured,
    });
    assert.equal(replay.status, 204);
    const replayed = await received();
    assert.equal(replayed.deliveries.length, after.deliveries.length, 'nothing processed again');
    assert.ok(!replayed.deliveries.some((d) => d.id === 'replayed-under-another-id'));
  });

  it('an invalid save comes back as the backend’s field errors and is stored nowhere', async () => {
    const a = await h.connect(ana);
    const b = await h.connect(ben);
    await b.join('customer:42');
    const current = await snapshot(a, '42');
    const events = b.ofType('event').length;
    const reply = await update(
      a,
      '42',
      { email: 'holloway-at-northwind', phone: '020 7946 0321', company: '   ', city: 'Leeds' },
      current.entity.version,
    );
    assert.equal(reply.type, 'entity.rejected', JSON.stringify(reply));
    assert.deepEqual((reply as FrameOf<ServerFrame, 'entity.rejected'>).errors, {
      email: 'Enter an email address like name@example.com',
      phone: 'Enter the number with its country code, like +49 30 901820',
      company: 'The company name is required',
    });
    await b.sync();
    assert.equal(b.ofType('event').length, events, 'nothing was broadcast');
    const stored = await h.server.entities.get('customer', '42');
    assert.equal(stored?.version, current.entity.version, 'the server stored nothing');
    assert.equal(stored?.fields['city'], 'London', 'not even the valid field');
    const record = await backendRecord('42');
    assert.equal(record['company'], 'Northwind Logistics', 'the CRM stored nothing');
    assert.equal(record['city'], 'London');
  });

  it('the backend applies a retried save once (Idempotency-Key)', async () => {
    const before = await backendRecord('13');
    const save = (base: Record<string, unknown>) =>
      fetch(`${backend}/entities/customer/13`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${ENTITY_KEY}`,
          'idempotency-key': 'retry-key-1',
        },
        body: JSON.stringify({
          fields: { status: 'Qualified' },
          base,
          baseVersion: 1,
          mutationId: 'retry-key-1',
          user: { id: 'emma', name: 'Emma Lindqvist' },
        }),
      });
    assert.equal(before['status'], 'Lead');
    const first = await save({ status: 'Lead' });
    assert.equal(first.status, 200);
    // The retry's base is now stale; a fresh save would be a conflict, the retry is the first answer.
    const retry = await save({ status: 'Lead' });
    assert.equal(retry.status, 200);
    assert.deepEqual(await retry.json(), { fields: { status: 'Qualified' } });
  });

  it('the authorization callback hides notes from support, keeps value read-only, denies a room', async () => {
    // Support sees customer 42 without its notes; value is read-only for them.
    const c = await h.connect(chloe);
    await c.join('customer:42');
    const seen = await snapshot(c, '42');
    assert.equal(seen.entity.fields['notes'], undefined, 'notes never reach support');
    assert.ok(!JSON.stringify(c.frames).includes('security questionnaire'));
    assert.ok(seen.readOnly?.includes('value'), JSON.stringify(seen.readOnly));
    const refused = await update(c, '42', { value: 1 }, seen.entity.version);
    assert.equal(refused.type === 'error' && refused.code, 'forbidden', JSON.stringify(refused));

    // The manager sees the notes.
    const b = await h.connect(ben);
    assert.match(String((await snapshot(b, '42')).entity.fields['notes']), /questionnaire/);

    // Customer 7 is confidential and Ben's: Ana, a sales rep, may not open it.
    const a = await h.connect(ana);
    const denied = await a.request({ type: 'join', id: nextId('join'), room: 'customer:7' });
    assert.equal(denied.type === 'error' && denied.code, 'forbidden', JSON.stringify(denied));
    assert.ok(!JSON.stringify(a.frames).includes('Brightline'), 'nothing of customer 7 reached Ana');

    // Customer 13 is Emma's: Ana may look at it but not save it.
    const other = await snapshot(a, '13');
    const write = await update(a, '13', { nextStep: 'Call' }, other.entity.version);
    assert.equal(write.type === 'error' && write.code, 'forbidden', JSON.stringify(write));
  });

  it('owns the meetings and calls of its customers, with the ids and fields of the demo seed', async () => {
    // The demo's customer page shows each meeting and call as a form of `meeting` 42-meeting-1,
    // `call` 42-call-1 …: a backend without them left every one reading "no longer exists".
    const { CUSTOMERS } = (await import(DEMO_DATA_URL.href)) as {
      CUSTOMERS: Record<string, unknown>[];
    };
    const expected = demoEntities(CUSTOMERS, 0).filter(
      (e) => (e.type === 'meeting' || e.type === 'call') && ['42', '7', '13'].includes(String(e.fields['customerId'])),
    );
    assert.ok(expected.some((e) => e.id === '42-meeting-1') && expected.some((e) => e.id === '42-call-1'));
    for (const entity of expected) {
      assert.deepEqual(await backendRecord(entity.id, entity.type), entity.fields, `${entity.type} ${entity.id}`);
    }
    const missing = await fetch(`${backend}/entities/meeting/18-meeting-1`, {
      headers: { authorization: `Bearer ${ENTITY_KEY}` },
    });
    assert.equal(missing.status, 404, 'a meeting of a customer it does not have');
  });

  it('a meeting is read and saved through the backend (write-through), and bad values come back as field errors', async () => {
    const a = await h.connect(ana);
    const b = await h.connect(ben);
    await b.join('meeting:42-meeting-2');
    const seen = await snapshot(a, '42-meeting-2', 'meeting');
    assert.equal(seen.entity.fields['title'], 'On-site visit, Croydon depot', 'read through');
    assert.equal(seen.entity.fields['customerId'], '42');

    const reply = await update(
      a,
      '42-meeting-2',
      { place: '  Croydon depot, gate B ' },
      seen.entity.version,
      undefined,
      'meeting',
    );
    assert.equal(reply.type, 'entity.ack', JSON.stringify(reply));
    assert.equal((reply as FrameOf<ServerFrame, 'entity.ack'>).entity.fields['place'], 'Croydon depot, gate B');
    const change = await b.next((f) => f.type === 'event' && f.event === 'entity.change');
    assert.ok(JSON.stringify(change).includes('Croydon depot, gate B'), 'Ben sees the new place');
    assert.equal((await backendRecord('42-meeting-2', 'meeting'))['place'], 'Croydon depot, gate B');

    const acked = (reply as FrameOf<ServerFrame, 'entity.ack'>).entity.version;
    const bad = await update(
      a,
      '42-meeting-2',
      { title: '   ', place: 'x'.repeat(201), customerId: '7' },
      acked,
      undefined,
      'meeting',
    );
    assert.equal(bad.type, 'entity.rejected', JSON.stringify(bad));
    assert.deepEqual((bad as FrameOf<ServerFrame, 'entity.rejected'>).errors, {
      title: 'The title is required',
      place: 'At most 200 characters',
      customerId: 'A meeting stays with its customer',
    });
    const record = await backendRecord('42-meeting-2', 'meeting');
    assert.equal(record['title'], 'On-site visit, Croydon depot', 'the CRM stored nothing');
    assert.equal(record['customerId'], '42');
  });

  it('a meeting or call may be saved only by whoever may save its customer', async () => {
    // Customer 13 is Emma's: Ana may open its meeting but not save it, through the server
    // (the callback) or straight to the backend (its own check).
    const a = await h.connect(ana);
    const seen = await snapshot(a, '13-meeting-1', 'meeting');
    const write = await update(a, '13-meeting-1', { place: 'Boston' }, seen.entity.version, undefined, 'meeting');
    assert.equal(write.type === 'error' && write.code, 'forbidden', JSON.stringify(write));
    const direct = (user: UserProfile, key: string) =>
      fetch(`${backend}/entities/call/13-call-1`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${ENTITY_KEY}`,
          'idempotency-key': key,
        },
        body: JSON.stringify({ fields: { minutes: 9 }, base: { minutes: 8 }, user }),
      });
    assert.equal((await direct(ana, 'call-ana-1')).status, 403);
    assert.equal((await backendRecord('13-call-1', 'call'))['minutes'], 8, 'stored nothing');
    const emma: UserProfile = { id: 'emma', name: 'Emma Lindqvist' };
    const own = await direct(emma, 'call-emma-1');
    assert.equal(own.status, 200);
    assert.deepEqual(await own.json(), { fields: { minutes: 9 } });

    // Customer 7 is confidential and Ben's: Ana may not even open its meetings.
    const denied = await a.request({ type: 'join', id: nextId('join'), room: 'meeting:7-meeting-1' });
    assert.equal(denied.type === 'error' && denied.code, 'forbidden', JSON.stringify(denied));
    assert.ok(!JSON.stringify(a.frames).includes('Expansion planning'), 'nothing of it reached Ana');
  });

  it('names that are not people of the team are refused, also those an object has of its own (toString)', async () => {
    const ask = async (user: UserProfile, room: string) => {
      const res = await fetch(`${backend}/authorize`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${AUTHORIZE_KEY}` },
        body: JSON.stringify({ user, room, action: 'join' }),
      });
      return ((await res.json()) as { allow: boolean }).allow;
    };
    assert.equal(await ask(ana, 'user:ana'), true);
    for (const id of ['nobody', 'constructor', 'toString', '__proto__']) {
      assert.equal(await ask({ id, name: id }, `user:${id}`), false, `${id} is refused`);
    }
    const save = async (type: string, id: string, fields: Fields, key: string) => {
      const res = await fetch(`${backend}/entities/${type}/${id}`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${ENTITY_KEY}`,
          'idempotency-key': key,
        },
        body: JSON.stringify({ fields, base: {}, user: ben }),
      });
      return { status: res.status, body: (await res.json()) as { errors?: Record<string, string> } };
    };
    const by = await save('call', '42-call-2', { by: 'toString' }, 'proto-by');
    assert.equal(by.status, 422, JSON.stringify(by.body));
    assert.deepEqual(Object.keys(by.body.errors ?? {}), ['by']);
    const attendees = await save('meeting', '42-meeting-2', { attendees: ['ana', 'constructor'] }, 'proto-attendees');
    assert.equal(attendees.status, 422, JSON.stringify(attendees.body));
    // Nor is a field a meeting or call does not have, whatever its name.
    const field = await save('meeting', '42-meeting-2', { constructor: 'x' }, 'proto-field');
    assert.equal(field.status, 422, JSON.stringify(field.body));
    assert.deepEqual(field.body.errors, { constructor: 'A meeting has no field "constructor"' });
    const callField = await save('call', '42-call-2', { toString: 'x' }, 'proto-call-field');
    assert.equal(callField.status, 422, JSON.stringify(callField.body));
    assert.ok(!Object.hasOwn(await backendRecord('42-meeting-2', 'meeting'), 'constructor'));
    const owner = await save('customer', '7', { owner: 'hasOwnProperty' }, 'proto-owner');
    assert.equal(owner.status, 422, JSON.stringify(owner.body));
    assert.equal((await backendRecord('7'))['owner'], 'ben', 'stored nothing');
  });

  it("a key seen before on another record, or from another person, is not that save's retry", async () => {
    // Mutation ids are broadcast with each change (entity.change's mutationId): anyone in the
    // room knows them. Ben's answer sent back for Ana's save of a meeting would have the server
    // store Ben's value on it (a field a meeting does not have), the backend storing nothing.
    const post = (type: string, id: string, user: UserProfile, fields: Fields) =>
      fetch(`${backend}/entities/${type}/${id}`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${ENTITY_KEY}`,
          'idempotency-key': 'shared-key-1',
        },
        body: JSON.stringify({ fields, base: {}, mutationId: 'shared-key-1', user }),
      });
    const bens = await post('customer', '42', ben, { value: 51000 });
    assert.deepEqual(await bens.json(), { fields: { value: 51000 } });

    const anas = await post('meeting', '42-meeting-1', ana, { place: 'Room 4' });
    assert.equal(anas.status, 200);
    assert.deepEqual(await anas.json(), { fields: { place: 'Room 4' } }, 'her own save, applied');
    assert.equal((await backendRecord('42-meeting-1', 'meeting'))['place'], 'Room 4');

    // The same key from another person on the same record is not a retry either: refused here.
    const hers = await post('customer', '42', ana, { value: 1 });
    assert.equal(hers.status, 403);
    assert.equal((await backendRecord('42'))['value'], 51000);
  });

  it("a meeting's time is a date and time as the form sends it, not any text a date parser takes", async () => {
    const save = async (at: string, key: string) => {
      const res = await fetch(`${backend}/entities/meeting/42-meeting-3`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${ENTITY_KEY}`,
          'idempotency-key': key,
        },
        body: JSON.stringify({ fields: { at }, base: {}, user: ben }),
      });
      return res.status;
    };
    // A datetime-local input shows none of these: the meeting would show no time to anyone.
    // Nor a day the calendar does not have, nor 24:00, which a date parser rolls over.
    const bad = ['1', '2031', 'May 6, 2031', '6 May 2031 09:30'];
    bad.push('2031-02-30T09:30', '2031-02-29T09:30', '2031-05-06T24:00');
    for (const [i, at] of bad.entries()) {
      assert.equal(await save(at, `at-bad-${i}`), 422, at);
    }
    assert.equal(await save('2032-02-29T09:30', 'at-leap'), 200, 'a leap day');
    assert.equal(await save('2031-05-06T09:30', 'at-local'), 200, 'as the form sends a local time');
    assert.equal(await save('2031-05-06T07:30:00.000Z', 'at-zoned'), 200, 'an instant');
    assert.equal((await backendRecord('42-meeting-3', 'meeting'))['at'], '2031-05-06T07:30:00.000Z');
  });

  // Last: the backend restarts with its seed data.
  it('with the backend down, saves and joins are refused for now, and the retried save applies once', async () => {
    const a = await h.connect(ana);
    const seen = await snapshot(a, '42');
    const exited = once(child, 'exit');
    child.kill();
    await exited;

    // Its callback cannot answer: not "forbidden" (final for a client), but "retry".
    const join = await a.request({ type: 'join', id: nextId('join'), room: 'customer:99' });
    assert.equal(join.type === 'error' && join.code, 'backend_unavailable', JSON.stringify(join));
    const mutationId = nextId('mutation-outage-');
    const down = await update(a, '42', { city: 'Leeds' }, seen.entity.version, mutationId);
    assert.equal(down.type === 'error' && down.code, 'backend_unavailable', JSON.stringify(down));
    assert.notEqual((await h.server.entities.get('customer', '42'))?.fields['city'], 'Leeds');

    // Back on the same address: the client's outbox sends the same save again.
    ({ child } = await startExample(Number(new URL(backend).port)));
    const back = await update(a, '42', { city: 'Leeds' }, seen.entity.version, mutationId);
    assert.equal(back.type, 'entity.ack', JSON.stringify(back));
    assert.equal((await backendRecord('42'))['city'], 'Leeds');
    assert.equal((await h.server.entities.get('customer', '42'))?.fields['city'], 'Leeds');
  });
});
