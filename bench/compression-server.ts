/**
 * Child process of the compression benchmark: one server with the settings under test, reporting
 * its own CPU time over IPC, so the server's cost is measured apart from the clients.
 *
 *   argv[2]: JSON `{ compression: { enabled, threshold }, preframedWrites }`
 */
import { createServer, type CompressionOptions } from '../src/server/server.js';

export interface ServerSettings {
  compression: CompressionOptions;
  /** false: every member's frame through ws.send (ws deflates per connection). */
  preframedWrites: boolean;
}
export type ToServer = { type: 'cpu' } | { type: 'stop' };
export type FromServer = { type: 'ready'; port: number } | { type: 'cpu'; usage: NodeJS.CpuUsage };

const settings = JSON.parse(process.argv[2] ?? '{}') as ServerSettings;
const server = createServer({
  auth: { devIdentities: true },
  quiet: true,
  compression: settings.compression,
  preframedWrites: settings.preframedWrites,
  // The publishers send far more than a person would; the rate limit is not what is measured.
  limits: { maxMessagesPerSecond: 1_000_000, maxRateViolations: 1_000_000 },
});
const send = (message: FromServer): void => void process.send?.(message);
const { port } = await server.listen(0, '127.0.0.1');
process.on('message', (message: ToServer) => {
  if (message.type === 'cpu') send({ type: 'cpu', usage: process.cpuUsage() });
  else void server.close().then(() => process.exit(0));
});
send({ type: 'ready', port });
