/**
 * What the tests of a shared connection read of its tabs: the server's open sockets, and a
 * user's tabs in a room as one page's client counts them.
 */
import type { Page } from 'playwright-core';
import type { TestServer } from './server.js';

/** Open sockets, from the server's own metrics. */
export async function socketsOpen(server: TestServer): Promise<number> {
  const text = await (await fetch(`${server.origin}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith('crm_connections '));
  return Number(line?.split(' ')[1]);
}

/** How many tabs `userId` has in `room`, as the page's client sees it. */
export function tabsOf(page: Page, room: string, userId: string): Promise<number | undefined> {
  return page.evaluate(
    ({ room, userId }) => {
      const provider = document.querySelector('crm-realtime-provider') as unknown as {
        client: {
          presence(room: string): {
            snapshot(): { people: { user: { id: string }; connections: number }[] };
            release(): void;
          };
        };
      };
      const presence = provider.client.presence(room);
      const count = presence.snapshot().people.find((p) => p.user.id === userId)?.connections;
      presence.release();
      return count;
    },
    { room, userId },
  );
}
