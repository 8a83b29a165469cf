/**
 * A TCP port on 127.0.0.1 that nothing listens on at the moment of asking.
 *
 * `CRM_TEST_PORTS=47300-47399` keeps the ports tests listen on (servers and services) in that
 * range, for a machine where several suites run at once and each was given its own: the
 * system's ephemeral ports would wander into another suite's range.
 */
import { createServer } from 'node:net';

const range = /^(\d+)-(\d+)$/.exec(process.env.CRM_TEST_PORTS ?? '');
const low = range ? Number(range[1]) : 0;
const high = range ? Number(range[2]) : 0;
/** Where the next search of the range starts, so consecutive asks get different ports. */
let next = low + Math.floor(Math.random() * (high - low + 1));

function probe(port: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.on('error', () => resolve(undefined));
    server.listen(port, '127.0.0.1', () => {
      const address = server.address();
      const bound = typeof address === 'object' && address ? address.port : undefined;
      server.close(() => resolve(bound));
    });
  });
}

export async function freePort(): Promise<number> {
  if (!range) {
    const port = await probe(0);
    if (port === undefined) throw new Error('no free port on 127.0.0.1');
    return port;
  }
  for (let tried = 0; tried <= high - low; tried++) {
    const port = next;
    next = next >= high ? low : next + 1;
    if ((await probe(port)) !== undefined) return port;
  }
  throw new Error(`no free port in CRM_TEST_PORTS ${low}-${high}`);
}

/** The port a test server should listen on: 0 (any) unless `CRM_TEST_PORTS` names a range. */
export function listenPort(): Promise<number> {
  return range ? freePort() : Promise.resolve(0);
}
