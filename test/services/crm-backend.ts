/**
 * A small CRM backend for write-through tests, on node:http (loopback, free port): it keeps its
 * own records, validates saves by its own rules, normalizes phone numbers, reports conflicts,
 * honours `Idempotency-Key`, and fails or answers slowly on demand. It speaks the exchanges of
 * docs/protocol.md ("Write-through to the CRM backend").
 *
 *   const crm = await startCrmBackend({ records: { 'customer:1': { name: 'Acme', phone: '…' } } });
 *   createServer({ …, entityBackend: { url: crm.url, timeoutMs: 300 } });
 *   crm.mode = 'slow';      // saves are applied, their answers held until crm.release()
 *   crm.mode = 'down';      // saves answer 503 and apply nothing
 *   await crm.close();
 *
 * Rules: `phone` needs at least 7 digits and is stored as `+<digits>` grouped (`+1 555-010-0123`
 * for ten digits); `email` needs an `@`; a field whose `base` differs from the record's value is a
 * conflict (409 with the record's values). A repeated key gets the first answer again, applied
 * once (`applied` counts applications per key).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';

type Fields = Record<string, unknown>;

export interface ReceivedCall {
  method: string;
  path: string;
  idempotencyKey: string | undefined;
  authorization: string | undefined;
  body: unknown;
}

export interface CrmBackend {
  readonly url: string;
  /** The backend's records by `type:id`: its database, the source of truth. */
  readonly records: Map<string, Fields>;
  /** Every call received, in order. */
  readonly calls: ReceivedCall[];
  /** Applications per idempotency key (a retry of a known key adds none). */
  readonly applied: Map<string, number>;
  /** `ok`; `down`: 503 to everything; `slow`: saves apply, answers wait for `release()`. */
  mode: 'ok' | 'down' | 'slow';
  /** Answers held in `slow` mode. */
  readonly held: number;
  /** Sends the held answers (to whoever still listens). */
  release(): void;
  /** Resolves once `n` answers are held. */
  holding(n: number): Promise<void>;
  close(): Promise<void>;
}

export function normalizePhone(value: string): string {
  const digits = value.replace(/\D/g, '');
  if (digits.length === 10) {
    return `+1 ${digits.slice(0, 3)}-${digits.slice(3, 6)}-${digits.slice(6)}`;
  }
  return `+${digits}`;
}

interface Answer {
  status: number;
  body: unknown;
}

export async function startCrmBackend(
  options: { records?: Record<string, Fields> } = {},
): Promise<CrmBackend> {
  const records = new Map<string, Fields>(Object.entries(options.records ?? {}));
  const calls: ReceivedCall[] = [];
  const applied = new Map<string, number>();
  const answers = new Map<string, Answer>();
  let held: (() => void)[] = [];
  let holdWaiters: { n: number; resolve: () => void }[] = [];

  const save = (key: string, body: Fields): Answer => {
    const fields = (body['fields'] ?? {}) as Fields;
    const base = (body['base'] ?? {}) as Fields;
    const record = records.get(key) ?? {};
    const errors: Record<string, string> = {};
    const next: Fields = {};
    for (const [field, value] of Object.entries(fields)) {
      if (field === 'phone') {
        const digits = String(value ?? '').replace(/\D/g, '');
        if (digits.length < 7) errors[field] = 'Enter a phone number with at least 7 digits';
        else next[field] = normalizePhone(String(value));
      } else if (field === 'email' && !String(value ?? '').includes('@')) {
        errors[field] = 'Enter an email address like name@example.com';
      } else next[field] = value;
    }
    if (Object.keys(errors).length > 0) return { status: 422, body: { errors } };
    const current: Fields = {};
    for (const field of Object.keys(fields)) {
      if (
        field in base &&
        field in record &&
        JSON.stringify(record[field]) !== JSON.stringify(base[field])
      ) {
        current[field] = record[field];
      }
    }
    if (Object.keys(current).length > 0) {
      return { status: 409, body: { current, changedBy: { id: 'crm', name: 'CRM desk' } } };
    }
    records.set(key, { ...record, ...next });
    return { status: 200, body: { fields: next } };
  };

  const reply = (res: ServerResponse, answer: Answer): void => {
    if (res.destroyed) return;
    res.writeHead(answer.status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(answer.body));
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const body: unknown = text ? JSON.parse(text) : undefined;
    const path = req.url ?? '';
    const idempotencyKey = req.headers['idempotency-key'] as string | undefined;
    calls.push({
      method: req.method ?? '',
      path,
      idempotencyKey,
      authorization: req.headers.authorization,
      body,
    });
    if (backend.mode === 'down') return reply(res, { status: 503, body: { error: 'down' } });
    const match = /^\/entities\/([^/]+)\/([^/]+)$/.exec(path);
    if (!match) return reply(res, { status: 404, body: {} });
    const key = `${decodeURIComponent(match[1]!)}:${decodeURIComponent(match[2]!)}`;
    if (req.method === 'GET') {
      const record = records.get(key);
      return reply(
        res,
        record ? { status: 200, body: { fields: record } } : { status: 404, body: {} },
      );
    }
    if (req.method !== 'POST' || !idempotencyKey) return reply(res, { status: 400, body: {} });
    let answer = answers.get(idempotencyKey);
    if (!answer) {
      answer = save(key, body as Fields);
      // Every answer is kept under its key: a retry gets the same one, and nothing applies twice.
      answers.set(idempotencyKey, answer);
      if (answer.status === 200)
        applied.set(idempotencyKey, (applied.get(idempotencyKey) ?? 0) + 1);
    }
    const final = answer;
    if (backend.mode === 'slow') {
      held.push(() => reply(res, final));
      holdWaiters = holdWaiters.filter((w) => {
        if (held.length < w.n) return true;
        w.resolve();
        return false;
      });
      return;
    }
    reply(res, final);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch(() => reply(res, { status: 500, body: {} }));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;

  const backend: CrmBackend = {
    url: `http://127.0.0.1:${port}`,
    records,
    calls,
    applied,
    mode: 'ok',
    get held() {
      return held.length;
    },
    release() {
      const answers = held;
      held = [];
      for (const send of answers) send();
    },
    holding(n) {
      if (held.length >= n) return Promise.resolve();
      return new Promise((resolve) => holdWaiters.push({ n, resolve }));
    },
    async close() {
      backend.release();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return backend;
}
