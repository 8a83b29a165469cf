/**
 * The element example of docs/testing.md, as written there but for the import paths: widgets on
 * the in-memory fake server, in a real browser, with a real clock.
 */
import { expect } from '@open-wc/testing';
import '../../../src/define.js';
import { FakeServer, connectFake, waitFor } from '../../../src/testing/index.js';

describe('docs/testing.md: elements on the fake server', () => {
  it('lists who is on the customer', async () => {
    const server = new FakeServer();
    server.addPerson('customer:42', { id: 'bo', name: 'Bo Berg' });
    document.body.innerHTML = `
      <crm-realtime-provider>
        <crm-presence room-id="customer:42"></crm-presence>
      </crm-realtime-provider>`;
    const provider = document.querySelector('crm-realtime-provider')!;
    const client = connectFake(server, { devUser: { id: 'ada', name: 'Ada' } });
    provider.client = client;
    const presence = document.querySelector('crm-presence')!;

    await waitFor(() => presence.people.some((p) => p.user.id === 'bo'));
    server.removePerson('customer:42', 'bo');
    await waitFor(() => !presence.people.some((p) => p.user.id === 'bo'));
    expect(presence.people.map((p) => p.user.id)).to.deep.equal(['ada']);

    client.close();
    server.close();
    document.body.replaceChildren();
  });
});
