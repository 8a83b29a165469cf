/**
 * A reference server in front of a CRM backend scripted by the test: the backend is a plain HTTP
 * server on loopback whose every request (the body read in full) goes to `handle`, and the
 * realtime server writes through to it, with dev identities and one API key for the HTTP API.
 */
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { createServer } from '../../../../src/server/server.js';

export const API_KEY = 'api-key-0123456789abcdef';

export interface BackendRig {
  /** The realtime server's HTTP origin (`http://127.0.0.1:<port>`), for `/api/…`. */
  base: string;
  /** Its WebSocket URL. */
  url: string;
  close(): Promise<void>;
}

export async function serverWithBackend(
  handle: (req: IncomingMessage, res: ServerResponse, body: string) => Promise<void> | void,
): Promise<BackendRig> {
  const backend = createHttpServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => void handle(req, res, Buffer.concat(chunks).toString()));
  });
  backend.listen(0, '127.0.0.1');
  await new Promise((resolve) => backend.once('listening', resolve));
  const { port: backendPort } = backend.address() as AddressInfo;
  const server = createServer({
    auth: { devIdentities: true },
    quiet: true,
    apiKeys: [API_KEY],
    entityBackend: { url: `http://127.0.0.1:${backendPort}`, timeoutMs: 2000 },
  });
  const { port } = await server.listen(0, '127.0.0.1');
  return {
    base: `http://127.0.0.1:${port}`,
    url: `ws://127.0.0.1:${port}/`,
    close: async () => {
      await server.close();
      await new Promise((resolve) => backend.close(resolve));
    },
  };
}
