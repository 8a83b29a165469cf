/**
 * A page that switches language at runtime sets the new `lang` (and `dir`) on a container and
 * gives each element its new catalogue. Every text the elements show, name or put in a tooltip
 * must then be in the new language at once: nothing of the old catalogue, and no time or number
 * still formatted for the old locale. Each catalogue here says only `«fr:key»` or `«pl:key»`, so
 * a left-over is seen at a glance.
 */
import { expect, fixture, html } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import '../../../src/elements/activity-feed/define.js';
import '../../../src/elements/collaborative-form/define.js';
import '../../../src/elements/conflict-dialog/define.js';
import '../../../src/elements/connection-status/define.js';
import '../../../src/elements/huddle/define.js';
import '../../../src/elements/notification-center/define.js';
import '../../../src/elements/presence/define.js';
import '../../../src/elements/realtime-provider/define.js';
import { defaultActivityFeedMessages } from '../../../src/elements/activity-feed/activity-messages.js';
import { defaultCollaborativeFormMessages } from '../../../src/elements/collaborative-form/form-messages.js';
import { defaultConflictMessages } from '../../../src/elements/conflict-dialog/conflict-messages.js';
import { defaultConnectionStatusMessages } from '../../../src/elements/connection-status/connection-status-messages.js';
import { defaultHuddleMessages } from '../../../src/elements/huddle/huddle-messages.js';
import { defaultNotificationCenterMessages } from '../../../src/elements/notification-center/notification-center-messages.js';
import { defaultPresenceMessages } from '../../../src/elements/presence/presence-messages.js';
import type { UserProfile } from '../../../src/protocol/index.js';
import { accessibleNames } from '../helpers/accessibility-tree.js';
import { fakeConnection, goReconnecting, aroundEachTest } from '../helpers/fake-connection.js';

aroundEachTest();

const CATALOGUES = {
  'crm-activity-feed': defaultActivityFeedMessages,
  'crm-collaborative-form': defaultCollaborativeFormMessages,
  'crm-conflict-dialog': defaultConflictMessages,
  'crm-connection-status': defaultConnectionStatusMessages,
  'crm-huddle': defaultHuddleMessages,
  'crm-notification-center': defaultNotificationCenterMessages,
  'crm-presence': defaultPresenceMessages,
};

/** A complete catalogue whose every message says `«lang:key»`. */
function markers<T extends object>(defaults: T, lang: string): T {
  return Object.fromEntries(
    Object.keys(defaults).map((key) => [key, () => `«${lang}:${key}»`]),
  ) as T;
}

/** Gives every element of the kit under `page` its catalogue in `lang`, as a page does. */
function translate(page: Element, lang: string): void {
  for (const [tag, defaults] of Object.entries(CATALOGUES)) {
    for (const el of page.querySelectorAll<HTMLElement & { messages: unknown }>(tag)) {
      el.messages = markers(defaults, lang);
      if (tag === 'crm-collaborative-form') {
        (el as unknown as { conflictMessages: unknown }).conflictMessages = markers(
          defaultConflictMessages,
          lang,
        );
      }
    }
  }
}

const ATTRIBUTES = ['aria-label', 'aria-description', 'aria-valuetext', 'title', 'placeholder'];

/** Every text and readable attribute under `node`, shadow trees included (not styles). */
function readable(node: Node, out: string[] = []): string[] {
  if (node instanceof Text) {
    if (!node.parentElement?.closest('style, script')) out.push(node.data);
    return out;
  }
  if (node instanceof Element) {
    for (const name of ATTRIBUTES) {
      const value = node.getAttribute(name);
      if (value) out.push(value);
    }
    if (node.shadowRoot) readable(node.shadowRoot, out);
  }
  for (const child of node.childNodes) readable(child, out);
  return out;
}

async function everything(page: Element): Promise<string> {
  const names = (await accessibleNames()).map((n) => n.name);
  return [...readable(page), ...names].join('\n');
}

const ME: UserProfile = { id: 'u-zoe', name: 'Zoé Martin' };
const ANA: UserProfile = { id: 'u-ana', name: 'Ana Souza' };
const BEN: UserProfile = { id: 'u-ben', name: 'Ben Lee' };
const CARL: UserProfile = { id: 'u-carl', name: 'Carl Ito' };
const ROOM = 'customer:42';

describe('switching `lang` and the catalogues at runtime', () => {
  it('every element speaks the new language at once, in every part it shows', async () => {
    const fake = await fakeConnection({ devUser: ME });
    fake.server.addPerson(ROOM, ANA, {
      activity: { kind: 'editing', field: 'phone' },
      connections: 2,
    });
    fake.server.addPerson(ROOM, BEN, { inCall: true });
    fake.server.addPerson(ROOM, CARL, { status: 'away' });
    fake.server.entities.put({
      type: 'customer',
      id: '42',
      fields: { name: 'Dupont SA', phone: '01 23', city: 'Lyon' },
    });
    fake.server.activity.seed(2, {
      spacingMs: 3 * 3_600_000,
      make: () => ({
        kind: 'entity.updated',
        actor: ANA,
        entity: { type: 'customer', id: '42', label: 'Dupont SA' },
        customerId: '42',
        changes: [
          { field: 'value', from: 1234.5, to: 98765 },
          { field: 'renewal', from: null, to: '2025-01-06' },
          { field: 'active', from: true, to: false },
          { field: 'status', from: 'a', to: 'b' },
          { field: 'email', from: 'a@b.fr', to: 'c@d.fr' },
          { field: 'city', from: 'Lyon', to: 'Nice' },
        ],
      }),
    });
    fake.server.notifications.notify(
      { target: { user: ME.id }, title: 'Facture', type: 'warning' },
      BEN,
    );
    const page = await fixture<HTMLElement>(
      html`<div lang="fr">
        <crm-realtime-provider .client=${fake.client}>
          <crm-connection-status></crm-connection-status>
          <crm-presence room-id=${ROOM} max-visible="2" callable></crm-presence>
          <crm-notification-center mark-read="item"></crm-notification-center>
          <crm-activity-feed feed-type="global" style="height: 400px"></crm-activity-feed>
          <crm-huddle room-id=${ROOM}></crm-huddle>
          <crm-collaborative-form entity-type="customer" entity-id="42" .clock=${fake.clock}>
            <form>
              <label for="s-name">Contact</label><input id="s-name" name="name" />
              <label for="s-phone">Téléphone</label><input id="s-phone" name="phone" />
              <input name="city" />
            </form>
          </crm-collaborative-form>
        </crm-realtime-provider>
        <crm-conflict-dialog
          entity-label="Dupont SA"
          .localData=${{ value: 1234.5, renewal: '2025-03-01' }}
          .remoteData=${{ value: 2000, renewal: '2025-04-01' }}
          .baseData=${{ value: 1000, renewal: null }}
          .conflictedFields=${['value', 'renewal']}
          .remoteAuthor=${ANA}
          remote-changed-at=${Date.now() - 3 * 60_000}
        ></crm-conflict-dialog>
      </div>`,
    );
    const settle = async () => {
      for (let i = 0; i < 6; i++) {
        await fake.clock.flush();
        for (const el of page.querySelectorAll<HTMLElement & { updateComplete?: Promise<unknown> }>(
          '*',
        )) {
          await el.updateComplete;
        }
        await new Promise((resolve) => requestAnimationFrame(resolve));
      }
    };
    translate(page, 'fr');
    await settle();

    // Drive each element into states with more to read: people arrive, a notification and a
    // ring arrive, someone else edits the field the user is in, the connection drops.
    const name = page.querySelector<HTMLInputElement>('[name="name"]')!;
    name.focus();
    await sendKeys({ type: 'x' });
    fake.server.addPerson(
      ROOM,
      { id: 'u-dan', name: 'Dan Roy' },
      {
        activity: { kind: 'editing', field: 'name' },
      },
    );
    fake.server.notify({ target: { user: ME.id }, title: 'Contrat', priority: 'urgent' }, ANA);
    fake.server.broadcast(ROOM, 'call.ring', {}, ANA.id);
    await fake.clock.advance(60_000);
    await settle();
    fake.server.entities.remoteUpdate('customer', '42', { name: 'Durand', city: 'Nice' }, ANA);
    await settle();
    const presence = page.querySelector('crm-presence')!.shadowRoot!;
    // The modal dialog first: opening it closes the popovers.
    const dialog = page.querySelector('crm-conflict-dialog')!;
    dialog.open = true;
    await settle();
    // One popover at a time: the bell's panel, over the list of everyone in the room.
    presence.querySelector<HTMLButtonElement>('.overflow')!.click();
    page
      .querySelector('crm-notification-center')!
      .shadowRoot!.querySelector<HTMLButtonElement>('.bell')!
      .click();
    await goReconnecting(fake);
    await settle();

    const before = await everything(page);
    for (const tag of Object.keys(CATALOGUES)) {
      expect(before, `${tag} in French`).to.match(/«fr:/);
    }
    expect(before).to.contain('il y a');
    const reached = ['heldTab', 'overflowHeading', 'markRead', 'ringing', 'reconnectingIn'];
    reached.push('moreChanges', 'fieldChange', 'savedAt', 'groupLabel', 'dismiss');
    for (const key of reached) expect(before, key).to.contain(`«fr:${key}»`);

    page.setAttribute('lang', 'pl');
    translate(page, 'pl');
    await settle();
    const after = await everything(page);
    // What a live region said was said then, in that language; it is not said again.
    const said = /«fr:(sentences|announcement|ringAnnouncement|remoteChanged|remoteHeld)»/g;
    const leftOver = after
      .split('\n')
      .map((text) => text.replace(said, '').trim())
      .filter((text) => /«fr:|il y a|aujourd|hier/i.test(text));
    expect(leftOver, 'French after switching to Polish').to.deep.equal([]);
    expect(after).to.contain('temu');
    for (const key of reached) expect(after, key).to.contain(`«pl:${key}»`);
  });
});
