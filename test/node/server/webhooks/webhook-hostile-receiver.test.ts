/**
 * Receivers that misbehave, as docs/webhooks.md describes them: a redirect is a failed attempt
 * and is never followed (the signed changes do not go to an address the answer names, such as
 * one inside the server's network), `410 Gone` is retried like any failure, and a 2xx whose body
 * never ends is delivered without the server reading that body. Time is the server's manual
 * clock: retries are stepped, never waited for.
 */
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { until } from '../../helpers/server-client.js';
import { startHarness, type Harness } from '../../helpers/server-harness.js';

const HANG_MS = 30_000;

interface Hit {
  entity: string;
  kind: string;
  attempt: number;
}

/** A server that records each POST (its entity and attempt) and answers with `answer`. */
async function listen(
  answer: (hit: Hit, res: ServerResponse) => void,
): Promise<{ server: Server; url: string; hits: Hit[] }> {
  const hits: Hit[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
        kind: string;
        entity?: { id: string };
      };
      const hit = {
        entity: body.entity?.id ?? '',
        kind: body.kind,
        attempt: Number(req.headers['x-crm-attempt']),
      };
      hits.push(hit);
      answer(hit, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { server, url: `http://127.0.0.1:${port}/hooks`, hits };
}

let h: Harness;
let receiver: Awaited<ReturnType<typeof listen>>;
let elsewhere: Awaited<ReturnType<typeof listen>>;
/** How the receiver answers an entity's first attempt (later ones are 204). */
const first = new Map<string, (res: ServerResponse) => void>();

before(async () => {
  elsewhere = await listen((_hit, res) => res.writeHead(204).end());
  receiver = await listen((hit, res) => {
    const answer = hit.attempt === 1 ? first.get(hit.entity) : undefined;
    if (answer) answer(res);
    else res.writeHead(204).end();
  });
  h = await startHarness({
    webhooks: {
      url: receiver.url,
      secret: 'whsec-test-0123456789abcdef',
      timeoutMs: 86_400_000,
      backoffMs: 2_000,
    },
  });
});

after(async () => {
  await h.close();
  for (const { server } of [receiver, elsewhere]) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

const save = (id: string) =>
  h.server.entities.update({
    type: 'customer',
    id,
    fields: { name: id },
    source: 'backend',
    create: true,
  });

const attempts = (entity: string): number[] =>
  receiver.hits
    .filter((x) => x.entity === entity && x.kind === 'entity.change')
    .map((x) => x.attempt);

test('a redirect or a 410 is a failed attempt, retried; a redirect is never followed', async () => {
  for (const status of [301, 302, 303, 307, 308]) {
    first.set(`moved-${status}`, (res) =>
      res.writeHead(status, { location: `${elsewhere.url}?from=${status}` }).end(),
    );
  }
  first.set('gone', (res) => res.writeHead(410).end());
  const ids = [...first.keys()];
  for (const id of ids) await save(id);
  await until(
    () => ids.every((id) => attempts(id).length === 1),
    HANG_MS,
    'the first attempts answered',
  );
  // Stepped past the first backoff: every one is tried again at the same address.
  await until(
    () => {
      h.clock.advanceSync(2_000);
      return ids.every((id) => attempts(id).join() === '1,2');
    },
    HANG_MS,
    'the second attempts',
  );
  assert.deepEqual(elsewhere.hits, [], 'nothing was POSTed to the address a redirect named');
});

test('a 2xx whose body never ends is delivered; the body is not read', async () => {
  first.set('endless', (res) => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.write('x'.repeat(64 * 1024)); // and never ends
  });
  await save('endless');
  // Delivered at its first attempt: the entity's activity item, queued behind it, follows.
  await until(
    () => receiver.hits.some((x) => x.entity === 'endless' && x.kind === 'activity'),
    HANG_MS,
    'the next delivery of the entity',
  );
  assert.deepEqual(attempts('endless'), [1]);
});
