import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { describe, test } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { alice, startHarness } from '../helpers/server-harness.js';

const gc = (): void => {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
};

describe('transport', () => {
  test('an open connection keeps nothing of its upgrade request', async () => {
    const h = await startHarness();
    let request: WeakRef<IncomingMessage> | undefined;
    h.server.httpServer.prependListener('upgrade', (req: IncomingMessage) => {
      request = new WeakRef(req);
    });
    const client = await h.connect(alice);
    await client.join('r:1');
    assert.ok(request, 'the upgrade was seen');
    // A WeakRef holds its target until the end of the job that made or read it: each try starts
    // a fresh turn and collects before reading.
    for (let i = 0; i < 5; i++) {
      await new Promise((resolve) => setImmediate(resolve));
      gc();
      if (request.deref() === undefined) break;
    }
    // Kept, the request would hold its headers (and what they came in) for as long as the
    // socket stays open, on each of thousands of idle connections.
    assert.equal(request.deref(), undefined, 'the upgrade request was collected');
    await h.close();
  });
});
