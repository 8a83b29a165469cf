/**
 * A toast dismissed in a DOM emulation (no exit animation to wait for): it goes, and the
 * notification center does not schedule an update from within an update, which Lit's development
 * build (the one Vitest loads) warns of in the console.
 */
import { expect, it } from 'vitest';
import 'crm-realtime/define';
import { FakeServer, connectFake, sampleNotification, waitFor } from 'crm-realtime/testing';

export function toastDismissed(): void {
  it('a dismissed toast goes, with no update scheduled from an update', async () => {
    const server = new FakeServer();
    document.body.innerHTML = `<crm-realtime-provider>
      <crm-notification-center></crm-notification-center>
    </crm-realtime-provider>`;
    const client = connectFake(server, { devUser: { id: 'ada', name: 'Ada' } });
    document.querySelector('crm-realtime-provider')!.client = client;
    const center = document.querySelector('crm-notification-center')!;
    await waitFor(() => client.status.state === 'open');
    server.notify(sampleNotification(0, { user: 'ada' }));
    await waitFor(() => center.toastsShown.length === 1);
    center.shadowRoot!.querySelector<HTMLElement>('[part~="toast"] [part~="dismiss"]')!.click();
    await waitFor(() => center.shadowRoot!.querySelectorAll('[part~="toast"]').length === 0);
    const issued = (globalThis as { litIssuedWarnings?: Set<string> }).litIssuedWarnings;
    expect(issued, "Lit's development build").toBeDefined();
    expect([...issued!].filter((w) => w.includes('scheduled an update'))).toEqual([]);
    client.close();
    server.close();
    document.body.replaceChildren();
  });
}
