/**
 * A CRM entity backend on loopback (a free port) that keeps records by `type/id` and, on a save,
 * stores what was sent and then what `grow` makes of it, as a CRM that normalizes values or
 * appends an audit trail does: `GET /entities/<type>/<id>` answers the record (404 when there is
 * none), `POST` answers what it stored over what was sent, or 503 while it is `down`.
 */
import { createServer, type Server } from 'node:http';

type Fields = Record<string, unknown>;

export interface GrowingBackend {
  /** The URL to give the server as its entity backend. */
  readonly url: string;
  /** The records, by `type/id`: seed them, read what a save left. */
  readonly records: Map<string, Fields>;
  /** What the backend stores over what a save sent (none by default). */
  grow: (sent: Fields) => Fields;
  /** Saves received so far. */
  posts: number;
  /**
   * Down for saves: each is answered 503 (with this `Retry-After` when set) and nothing stored.
   * Undefined: up.
   */
  down: { retryAfter?: string } | undefined;
  close(): Promise<void>;
}

export async function growingBackend(): Promise<GrowingBackend> {
  const records = new Map<string, Fields>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const key = (req.url ?? '').replace(/^\/entities\//, '');
      const record = records.get(key);
      if (!record) return void res.writeHead(404).end();
      let answer: unknown = { fields: record };
      if (req.method === 'POST' && backend.down) {
        const { retryAfter } = backend.down;
        res.writeHead(503, retryAfter === undefined ? {} : { 'retry-after': retryAfter });
        return void res.end('down for maintenance');
      }
      if (req.method === 'POST') {
        backend.posts += 1;
        const sent = (JSON.parse(Buffer.concat(chunks).toString()) as { fields: Fields }).fields;
        const stored = backend.grow(sent);
        records.set(key, { ...record, ...sent, ...stored });
        answer = { fields: stored };
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(answer));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as { port: number };
  const backend: GrowingBackend = {
    url: `http://127.0.0.1:${port}`,
    records,
    grow: () => ({}),
    posts: 0,
    down: undefined,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
  return backend;
}
