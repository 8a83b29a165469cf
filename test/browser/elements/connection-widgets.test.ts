/**
 * One connection, one truth: every widget that shows the connection's state (the header's status,
 * the activity feed, presence, the notification center) shows what the client's status says, with
 * the same rule for an attempt after a loss, so no two of them disagree on one page.
 */
import { expect, fixture, html } from '@open-wc/testing';
import '../../../src/elements/activity-feed/define.js';
import '../../../src/elements/connection-status/define.js';
import '../../../src/elements/notification-center/define.js';
import '../../../src/elements/presence/define.js';
import '../../../src/elements/realtime-provider/define.js';
import type { CrmRealtimeProvider } from '../../../src/elements/realtime-provider/crm-realtime-provider.js';
import {
  closeFakeConnections,
  fakeConnection,
  goReconnecting,
  type FakeConnection,
} from '../helpers/fake-connection.js';
import { nextToggle, panelOf } from './notification-center/fixture.js';

afterEach(() => closeFakeConnections());

interface Page {
  fake: FakeConnection;
  settle(): Promise<void>;
  /** What each widget says about the connection (its visible words), by tag. */
  says(): Promise<Record<string, string>>;
}

const WIDGETS = [
  'crm-connection-status',
  'crm-activity-feed',
  'crm-presence',
  'crm-notification-center',
] as const;

async function mountPage(): Promise<Page> {
  const fake = await fakeConnection();
  const provider = await fixture<CrmRealtimeProvider>(
    html`<crm-realtime-provider .client=${fake.client}>
      <crm-connection-status></crm-connection-status>
      <crm-notification-center></crm-notification-center>
      <crm-presence room-id="customer:42"></crm-presence>
      <crm-activity-feed feed-type="global"></crm-activity-feed>
    </crm-realtime-provider>`,
  );
  const el = (tag: string) =>
    provider.querySelector<HTMLElement & { updateComplete: Promise<boolean> }>(tag)!;
  const settle = async () => {
    for (let i = 0; i < 4; i++) {
      await fake.clock.flush();
      await Promise.all(WIDGETS.map((tag) => el(tag).updateComplete));
    }
  };
  // The notification center says it in its panel: keep the panel open.
  const center = el('crm-notification-center');
  const panel = panelOf(center.shadowRoot!);
  const toggled = nextToggle(panel);
  center.shadowRoot!.querySelector<HTMLButtonElement>('.bell')!.click();
  await toggled;
  await settle();
  const text = (tag: string, selector: string) =>
    [...el(tag).shadowRoot!.querySelectorAll(selector)]
      .map((node) => node.textContent?.replace(/\s+/g, ' ').trim() ?? '')
      .join(' ')
      .trim();
  return {
    fake,
    settle,
    async says() {
      await settle();
      return {
        'crm-connection-status': text('crm-connection-status', '[part~="label"]'),
        'crm-activity-feed': text('crm-activity-feed', '[part~="note"]'),
        'crm-presence': text('crm-presence', '[part~="note"]:not(.visually-hidden)'),
        'crm-notification-center': text('crm-notification-center', '[part~="notice"]'),
      };
    },
  };
}

describe('every widget shows the one connection status', () => {
  it('offline: all say "Offline", none "Reconnecting…"', async () => {
    const page = await mountPage();
    page.fake.environment.setOnline(false);
    const says = await page.says();
    expect(says['crm-connection-status']).to.equal('Offline');
    for (const tag of WIDGETS) {
      expect(says[tag], tag).to.contain('Offline');
      expect(says[tag], tag).not.to.contain('Reconnecting');
    }
  });

  it('reconnecting, and the attempts in between: all say "Reconnecting…"', async () => {
    const page = await mountPage();
    await goReconnecting(page.fake);
    let says = await page.says();
    expect(says['crm-connection-status']).to.match(/^Reconnecting in \d+s$/);
    for (const tag of WIDGETS.slice(1)) expect(says[tag], tag).to.contain('Reconnecting…');
    // The next attempt is under way (`connecting` after a loss): still one word for all.
    page.fake.server.blackhole(true);
    page.fake.server.refuseConnections(false);
    page.fake.client.retryNow();
    says = await page.says();
    expect(page.fake.client.status.state).to.equal('connecting');
    expect(says['crm-connection-status']).to.equal('Reconnecting…');
    for (const tag of WIDGETS.slice(1)) expect(says[tag], tag).to.contain('Reconnecting…');
  });

  it('back online: the header says "Connected" and no widget keeps a connection note', async () => {
    const page = await mountPage();
    page.fake.environment.setOnline(false);
    await page.says();
    page.fake.environment.setOnline(true);
    const says = await page.says();
    expect(says['crm-connection-status']).to.equal('Connected');
    for (const tag of WIDGETS.slice(1)) {
      expect(says[tag], tag).not.to.match(/Offline|Reconnecting/);
    }
  });
});
