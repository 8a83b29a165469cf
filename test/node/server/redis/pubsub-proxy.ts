/**
 * A TCP proxy in front of a test Redis that forces one interleaving on a process's subscriber
 * connection: its SUBSCRIBE to a channel is held until the test releases it, and Redis's
 * confirmation of that subscription is then held until the channel's next message follows it, so
 * both reach the process in one read, as they do when a loaded process reads its socket late.
 */
import { connect, createServer, type Socket } from 'node:net';

export interface PubSubProxy {
  readonly url: string;
  /**
   * Arms the hold for the next SUBSCRIBE to `channel`. `sent` resolves once a connection sent it
   * (it has not reached Redis); `release()` lets it through and resolves once Redis confirmed
   * it (the confirmation then waits in the proxy for the channel's next message).
   */
  holdSubscribe(channel: string): { sent: Promise<void>; release(): Promise<void> };
  close(): Promise<void>;
}

interface Hold {
  channel: string;
  sent: () => void;
  released: Promise<void>;
  confirmed: () => void;
}

export async function startPubSubProxy(redisPort: number): Promise<PubSubProxy> {
  const sockets = new Set<Socket>();
  let armed: Hold | undefined;

  const server = createServer((client) => {
    const upstream = connect(redisPort, '127.0.0.1');
    sockets.add(client).add(upstream);
    const drop = (): void => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    for (const socket of [client, upstream]) socket.on('close', drop).on('error', drop);
    /** Requests waiting behind a held SUBSCRIBE; null when none is held. */
    let requests: Buffer[] | null = null;
    /** Replies waiting for the channel's next message; null when none wait. */
    let replies: { hold: Hold; chunks: Buffer[] } | null = null;

    client.on('data', (chunk: Buffer) => {
      if (requests) {
        requests.push(chunk);
        return;
      }
      const text = chunk.toString('latin1');
      const hold = armed;
      if (!hold || !/subscribe/i.test(text) || !text.includes(hold.channel)) {
        upstream.write(chunk);
        return;
      }
      armed = undefined;
      const waiting = [chunk];
      requests = waiting;
      hold.sent();
      void hold.released.then(() => {
        replies = { hold, chunks: [] };
        requests = null;
        upstream.write(Buffer.concat(waiting));
      });
    });

    upstream.on('data', (chunk: Buffer) => {
      if (!replies) {
        client.write(chunk);
        return;
      }
      replies.chunks.push(chunk);
      const seen = Buffer.concat(replies.chunks).toString('latin1');
      if (/subscribe\r\n/i.test(seen) && seen.includes(replies.hold.channel)) {
        replies.hold.confirmed();
      }
      if (!seen.includes('message\r\n')) return;
      client.write(Buffer.concat(replies.chunks));
      replies = null;
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;

  return {
    url: `redis://127.0.0.1:${port}`,
    holdSubscribe(channel) {
      let sent!: () => void;
      let release!: () => void;
      let confirmed!: () => void;
      const sentP = new Promise<void>((resolve) => (sent = resolve));
      const released = new Promise<void>((resolve) => (release = resolve));
      const confirmedP = new Promise<void>((resolve) => (confirmed = resolve));
      armed = { channel, sent, released, confirmed };
      return {
        sent: sentP,
        release: () => {
          release();
          return confirmedP;
        },
      };
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
