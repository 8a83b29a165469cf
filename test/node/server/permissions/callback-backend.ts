/**
 * The CRM's backend for the authorization callback tests: a node:http server on loopback that
 * records every question (each one a POST) and answers by `decide`, or fails, hangs or holds.
 */
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

interface Asked {
  body: Record<string, unknown>;
  authorization: string | undefined;
}

/** The CRM's backend: answers by `decide`, records every question. */
export class Backend {
  readonly asked: Asked[] = [];
  decide: (body: Record<string, unknown>) => unknown = () => ({ allow: true });
  /** Answer with this status and text instead (a failing backend). */
  failWith:
    | {
        status: number;
        text: string;
        headers?: Record<string, string>;
        /** Answer without a `Date` header (a backend with no clock). */
        noDate?: boolean;
      }
    | undefined;
  /** Never answer (a hanging backend). */
  hang = false;
  /** Answer once this settles (a backend taking its time). */
  gate: Promise<void> | undefined;
  /** Questions held until `release()` (a backend taking its time for some questions only). */
  hold: ((body: Record<string, unknown>) => boolean) | undefined;
  private held: (() => void)[] = [];
  private readonly hanging: ServerResponse[] = [];
  readonly server: Server = createServer((req, res) => void this.handle(req, res));

  static async start(): Promise<Backend> {
    const backend = new Backend();
    backend.server.listen(0, '127.0.0.1');
    await once(backend.server, 'listening');
    return backend;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/authorize`;
  }

  questions(action?: string): Record<string, unknown>[] {
    return this.asked.map((a) => a.body).filter((b) => !action || b.action === action);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
    this.asked.push({ body, authorization: req.headers.authorization });
    if (this.gate) await this.gate;
    if (this.hold?.(body)) await new Promise<void>((resolve) => this.held.push(resolve));
    if (this.hang) {
      this.hanging.push(res);
      return;
    }
    if (this.failWith) {
      if (this.failWith.noDate) res.sendDate = false;
      res.writeHead(this.failWith.status, {
        'content-type': 'application/json',
        ...this.failWith.headers,
      });
      res.end(this.failWith.text);
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(this.decide(body)));
  }

  /** Questions held now (asked, not yet answered). */
  get holding(): number {
    return this.held.length;
  }

  /** Answers the questions held, and holds no more. */
  release(): void {
    this.hold = undefined;
    const held = this.held;
    this.held = [];
    held.forEach((answer) => answer());
  }

  async close(): Promise<void> {
    this.release();
    for (const res of this.hanging) res.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
