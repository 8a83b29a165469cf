/**
 * A small real webhook receiver on node:http for the webhook tests: records every request,
 * verifies its signature with the snippet of docs/webhooks.md (loaded from the doc itself, so the
 * documented code is what runs), deduplicates by delivery id, and on demand fails (500) or holds
 * the answer until released (a slow backend; the server's clock decides when it gives up).
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

export type Verify = (
  rawBody: Buffer | string,
  header: string | undefined,
  secret: string,
  toleranceSeconds?: number,
  nowMs?: number,
) => boolean;

/** The verification snippet of docs/webhooks.md, imported as written there. */
export async function loadDocSnippet(): Promise<Verify> {
  const doc = await readFile(new URL('../../../../docs/webhooks.md', import.meta.url), 'utf8');
  const block =
    /<!-- verify-snippet:start -->\s*```js\n([\s\S]*?)```\s*<!-- verify-snippet:end -->/.exec(doc);
  assert.ok(block, 'docs/webhooks.md holds the verification snippet between its markers');
  const dir = await mkdtemp(join(tmpdir(), 'crm-webhook-snippet-'));
  const file = join(dir, 'verify.mjs');
  await writeFile(file, block[1]!);
  try {
    const module = (await import(pathToFileURL(file).href)) as { verifyCrmSignature: Verify };
    return module.verifyCrmSignature;
  } finally {
    // Imported, the module no longer needs its file.
    await rm(dir, { recursive: true, force: true });
  }
}

export interface Received {
  id: string;
  event: string;
  attempt: number;
  signature: string;
  raw: Buffer;
  body: {
    id: string;
    cursor: string;
    kind: string;
    at: number;
    entity?: { type: string; id: string };
    data: Record<string, unknown>;
  };
  /** The snippet's verdict at the time of receipt. */
  verified: boolean;
  /** The status answered (undefined while held). */
  status: number | undefined;
}

export class Receiver {
  /** Every request, in arrival order. */
  readonly requests: Received[] = [];
  /** Accepted deliveries (answered 2xx), first receipt of each id, in order. */
  readonly accepted: Received[] = [];
  private readonly seen = new Set<string>();
  /** Answer 500 to requests this returns true for. */
  failWhen: (request: Received) => boolean = () => false;
  /** Hold the answer of requests this returns true for until `release()`. */
  holdWhen: (request: Received) => boolean = () => false;
  private held: { request: Received; res: ServerResponse }[] = [];
  private server: Server | undefined;
  url = '';

  constructor(
    private readonly secret: string,
    private readonly verify: Verify,
    /** The server's clock, for the snippet's freshness check. */
    private readonly now: () => number,
  ) {}

  async start(): Promise<void> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    const { port } = this.server.address() as AddressInfo;
    this.url = `http://127.0.0.1:${port}/hooks`;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    try {
      for await (const chunk of req as AsyncIterable<Buffer>) chunks.push(chunk);
    } catch {
      return; // the sender gave up mid-body (a server stopping): nothing was delivered
    }
    const raw = Buffer.concat(chunks);
    if (!req.complete || raw.length === 0) {
      res.writeHead(400).end();
      return;
    }
    const header = (name: string): string => String(req.headers[name] ?? '');
    const request: Received = {
      id: header('x-crm-delivery'),
      event: header('x-crm-event'),
      attempt: Number(header('x-crm-attempt')),
      signature: header('x-crm-signature'),
      raw,
      body: JSON.parse(raw.toString('utf8')) as Received['body'],
      verified: this.verify(
        raw,
        req.headers['x-crm-signature'] as string,
        this.secret,
        300,
        this.now(),
      ),
      status: undefined,
    };
    this.requests.push(request);
    if (this.holdWhen(request)) {
      this.held.push({ request, res });
      return;
    }
    this.answer(request, res);
  }

  private answer(request: Received, res: ServerResponse): void {
    const fail = !request.verified || this.failWhen(request);
    request.status = fail ? 500 : 204;
    // Deduplicated by the signed body's id, as docs/webhooks.md says (the header is not signed).
    if (!fail && !this.seen.has(request.body.id)) {
      this.seen.add(request.body.id);
      this.accepted.push(request);
    }
    res.writeHead(request.status).end();
  }

  /** Answers the held requests now (by the current rules). */
  release(): void {
    const held = this.held;
    this.held = [];
    for (const { request, res } of held) if (!res.destroyed) this.answer(request, res);
  }

  /** Requests waiting for an answer. */
  get holding(): number {
    return this.held.length;
  }

  async close(): Promise<void> {
    for (const { res } of this.held) res.destroy();
    this.held = [];
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }
}
