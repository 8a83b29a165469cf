/**
 * A right-to-left page that has not translated everything yet: the English texts left must still
 * read as English does. Set in the page's direction, a sentence's "…" or full stop jumps to its
 * other end ("…Reconnecting", ".Notifications will appear when the connection is back"), so each
 * text of the kit is set in the direction of its own words, inside a layout that stays mirrored.
 * Checked here: every visible text with letters that starts or ends with punctuation, in the
 * elements' quiet states (no provider, connecting, empty, reconnecting, offline).
 */
import { expect, fixture, html } from '@open-wc/testing';
import '../../../src/define.js';
import type { UserProfile } from '../../../src/protocol/index.js';
import {
  closeFakeConnections,
  fakeConnection,
  goReconnecting,
  type FakeConnection,
  aroundEachTest,
} from '../helpers/fake-connection.js';

aroundEachTest();

const ME: UserProfile = { id: 'u-me', name: 'Layla Haddad' };

/** Whether something between `text` and its element's host gives it its own direction. */
function ownDirection(text: Text): boolean {
  for (let el = text.parentElement; el; el = el.parentElement) {
    if (el.tagName === 'BDI' || ['auto', 'ltr'].includes(el.getAttribute('dir') ?? '')) {
      return true;
    }
    if (getComputedStyle(el).unicodeBidi === 'plaintext') return true;
  }
  return false;
}

/** Visible texts under `node` whose order a right-to-left page would turn: punctuation at an end. */
function misplaced(node: Node, out: Set<string>): Set<string> {
  if (node instanceof Text) {
    const text = node.data.trim();
    const parent = node.parentElement;
    if (
      /\p{L}/u.test(text) &&
      /^[\p{P}\p{S}]|[\p{P}\p{S}]$/u.test(text) &&
      parent?.checkVisibility() &&
      !parent.closest('.visually-hidden') &&
      !ownDirection(node)
    ) {
      out.add(`<${(node.getRootNode() as ShadowRoot).host?.localName}> ${text}`);
    }
    return out;
  }
  if (node instanceof Element && node.shadowRoot) misplaced(node.shadowRoot, out);
  for (const child of node.childNodes) misplaced(child, out);
  return out;
}

const widgets = () =>
  html`<crm-connection-status></crm-connection-status>
    <crm-presence room-id="customer:1"></crm-presence>
    <crm-notification-center></crm-notification-center>
    <crm-activity-feed feed-type="global"></crm-activity-feed>
    <crm-huddle room-id="customer:1"></crm-huddle>
    <crm-collaborative-form entity-type="customer" entity-id="1">
      <form><input name="phone" /></form>
    </crm-collaborative-form>`;

async function settle(page: Element, fake?: FakeConnection): Promise<void> {
  for (let i = 0; i < 6; i++) {
    await fake?.clock.flush();
    for (const el of page.querySelectorAll<Element & { updateComplete?: Promise<unknown> }>('*')) {
      await el.updateComplete;
    }
    await new Promise((resolve) => requestAnimationFrame(resolve));
  }
}

function openBell(page: Element): void {
  page
    .querySelector('crm-notification-center')!
    .shadowRoot!.querySelector<HTMLButtonElement>('.bell')!
    .click();
}

describe('an untranslated text on a right-to-left page keeps its punctuation at its end', () => {
  it('without a provider', async () => {
    const page = await fixture<HTMLElement>(html`<div lang="ar" dir="rtl">${widgets()}</div>`);
    await settle(page);
    openBell(page);
    await settle(page);
    expect([...misplaced(page, new Set())]).to.deep.equal([]);
  });

  it('connecting, connected, reconnecting and offline', async () => {
    const found = new Set<string>();
    const connecting = await fakeConnection({ devUser: ME, open: false });
    const first = await fixture<HTMLElement>(
      html`<div lang="ar" dir="rtl">
        <crm-realtime-provider .client=${connecting.client}>${widgets()}</crm-realtime-provider>
      </div>`,
    );
    await settle(first, connecting);
    misplaced(first, found);
    closeFakeConnections();

    const fake = await fakeConnection({ devUser: ME });
    fake.server.entities.put({ type: 'customer', id: '1', fields: { phone: '1' } });
    const page = await fixture<HTMLElement>(
      html`<div lang="ar" dir="rtl">
        <crm-realtime-provider .client=${fake.client}>${widgets()}</crm-realtime-provider>
      </div>`,
    );
    await settle(page, fake);
    openBell(page);
    await settle(page, fake);
    misplaced(page, found);
    await goReconnecting(fake);
    await settle(page, fake);
    misplaced(page, found);
    fake.environment.setOnline(false);
    await settle(page, fake);
    misplaced(page, found);
    expect([...found]).to.deep.equal([]);
  });
});
