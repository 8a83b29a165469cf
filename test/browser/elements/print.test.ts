/**
 * The kit on paper: a customer page with every widget on it, printed (CSS `print` media, as
 * Chromium emulates it for Ctrl+P). What is for the screen does not print: toasts, open popovers
 * and dialogs, a call and its controls, the connection's state, who is here and who edits which
 * field, the form's save state and buttons; what the page is about does: the form's fields with
 * their values, the feed's items with their avatars in colour. Each test looks at the screen
 * first, so a rule that hides a thing for good fails.
 */
import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import { emulateMedia } from '@web/test-runner-commands';
import '../../../src/elements/activity-feed/define.js';
import '../../../src/elements/collaborative-form/define.js';
import '../../../src/elements/conflict-dialog/define.js';
import '../../../src/elements/connection-status/define.js';
import '../../../src/elements/huddle/define.js';
import '../../../src/elements/notification-center/define.js';
import '../../../src/elements/presence/define.js';
import '../../../src/elements/realtime-provider/define.js';
import type { CrmConflictDialog } from '../../../src/elements/conflict-dialog/crm-conflict-dialog.js';
import type { CrmRealtimeProvider } from '../../../src/elements/realtime-provider/crm-realtime-provider.js';
import { DEMO_USER } from '../../../src/testing/index.js';
import type { UserProfile } from '../../../src/protocol/index.js';
import {
  CUSTOMER,
  customerForm,
  formStyles,
} from '../../../stories/collaborative-form.fixtures.js';
import {
  closeFakeConnections,
  fakeConnection,
  goReconnecting,
} from '../helpers/fake-connection.js';

const ROOM = 'customer:42';
const BEN: UserProfile = { id: 'u-ben', name: 'Ben Carter' };
const ANA: UserProfile = { id: 'u-ana', name: 'Ana Ortiz' };

/** Rendered, with a box, and not hidden by `visibility` or `content-visibility`. */
const shown = (el: Element | null | undefined) =>
  !!el && el.checkVisibility({ visibilityProperty: true, contentVisibilityAuto: true });

/** Shown on screen, and on paper as `onPaper` says. */
async function screenThenPaper(el: Element | null | undefined, onPaper: boolean, what: string) {
  await emulateMedia({ media: 'screen' });
  expect(shown(el), `${what} on screen`).to.equal(true);
  await emulateMedia({ media: 'print' });
  expect(shown(el), `${what} on paper`).to.equal(onPaper);
}

/** The customer page: a header with the widgets, the form, the feed and the call. */
async function customerPage() {
  const fake = await fakeConnection({ reconnectInterval: 10_000 });
  fake.server.entities.put(CUSTOMER);
  fake.server.addPerson(ROOM, BEN, { activity: { kind: 'editing', field: 'email' } });
  fake.server.addPerson(ROOM, ANA);
  fake.server.activity.seed(3, { spacingMs: 60_000 });
  const provider = await fixture<CrmRealtimeProvider>(
    html`<crm-realtime-provider .client=${fake.client}>
      ${formStyles}
      <header style="display: flex; gap: 12px; align-items: center">
        <crm-connection-status compact></crm-connection-status>
        <crm-presence room-id=${ROOM} callable></crm-presence>
        <crm-presence room-id=${ROOM} position="floating"></crm-presence>
        <crm-notification-center></crm-notification-center>
      </header>
      <crm-collaborative-form entity-type="customer" entity-id="42" .clock=${fake.clock}>
        ${customerForm()}
      </crm-collaborative-form>
      <crm-activity-feed></crm-activity-feed>
      <crm-huddle room-id=${ROOM}></crm-huddle>
    </crm-realtime-provider>`,
  );
  const $ = <T extends HTMLElement>(selector: string) => provider.querySelector<T>(selector)!;
  const settle = async () => {
    for (let i = 0; i < 4; i++) {
      await fake.clock.flush();
      await Promise.all(
        [...provider.querySelectorAll<HTMLElement & { updateComplete?: Promise<unknown> }>('*')]
          .filter((el) => el.updateComplete)
          .map((el) => el.updateComplete),
      );
      await new Promise((resolve) => requestAnimationFrame(resolve));
    }
  };
  await settle();
  return { fake, provider, $, settle };
}

describe('on paper', () => {
  afterEach(async () => {
    await emulateMedia({ media: 'screen' });
    closeFakeConnections();
  });

  it('toasts, the notification bell and its open panel are not printed', async () => {
    const { fake, $, settle } = await customerPage();
    const center = $('crm-notification-center');
    fake.server.notify({ target: { user: DEMO_USER.id }, title: 'Invoice overdue' });
    await settle();
    const toast = center.shadowRoot!.querySelector('.toast');
    await screenThenPaper(toast, false, 'a toast');
    await emulateMedia({ media: 'screen' });
    center.shadowRoot!.querySelector<HTMLButtonElement>('.bell')!.click();
    await settle();
    const panel = center.shadowRoot!.querySelector('.panel');
    await waitUntil(() => panel?.matches(':popover-open'), 'the panel opens');
    await screenThenPaper(panel, false, 'the open panel');
    await screenThenPaper(center.shadowRoot!.querySelector('.bell'), false, 'the bell');
  });

  it("the connection's state (and its Retry button) is not printed", async () => {
    const { fake, $, settle } = await customerPage();
    const status = $('crm-connection-status');
    await goReconnecting(fake);
    await settle();
    await screenThenPaper(status.shadowRoot!.querySelector('[part~="retry"]'), false, 'Retry');
    await screenThenPaper(status.shadowRoot!.querySelector('[part~="base"]'), false, 'the pill');
  });

  it('presence is not printed: not its avatars, its call button, an open tooltip or a floating group', async () => {
    const { $, provider, settle } = await customerPage();
    const root = $('crm-presence').shadowRoot!;
    const avatar = root.querySelector<HTMLElement>('[part~="avatar"]');
    await screenThenPaper(avatar, false, 'an avatar');
    await screenThenPaper(root.querySelector('[part~="call"]'), false, 'the call button');
    const floating = provider.querySelector('crm-presence[position]')!;
    await screenThenPaper(
      floating.shadowRoot!.querySelector('[part~="avatar"]'),
      false,
      'floating',
    );
    await emulateMedia({ media: 'screen' });
    avatar!.focus();
    await settle();
    const tooltip = root.querySelector('.tooltip');
    await waitUntil(() => tooltip?.matches(':popover-open'), 'the tooltip opens on focus');
    await screenThenPaper(tooltip, false, 'the open tooltip');
  });

  it('the form prints its fields with their values, without who edits them, the save state or buttons', async () => {
    const { $, settle } = await customerPage();
    const form = $('crm-collaborative-form');
    const email = form.querySelector<HTMLInputElement>('[name="email"]')!;
    await waitUntil(() => email.hasAttribute('data-crm-editing'), 'Ben edits the e-mail');
    await settle();
    const root = form.shadowRoot!;
    await screenThenPaper(root.querySelector('[part~="tab"]'), false, "the 'Ben' tab");
    await screenThenPaper(root.querySelector('[part~="status-bar"]'), false, 'the status line');
    await screenThenPaper(email, true, 'the field');
    expect(email.value, 'its value').to.equal(CUSTOMER.fields['email']);
    expect(getComputedStyle(email).boxShadow, 'no ring').to.equal('none');
    await emulateMedia({ media: 'screen' });
    expect(getComputedStyle(email).boxShadow, 'the ring on screen').to.not.equal('none');
  });

  it('the feed prints its items in colour, none cut between sheets, without its filters', async () => {
    const { $ } = await customerPage();
    const root = $('crm-activity-feed').shadowRoot!;
    await screenThenPaper(root.querySelector('article'), true, 'an item');
    await screenThenPaper(root.querySelector('[part~="filters"]'), false, 'the filters');
    // In their colours even when the browser leaves backgrounds out (its default): the initials
    // are white. And no item cut between two sheets (the feed itself may run over several).
    const avatar = root.querySelector('[part~="avatar"]')!;
    expect(getComputedStyle(avatar).printColorAdjust).to.equal('exact');
    expect(getComputedStyle(root.querySelector('article')!).breakInside).to.equal('avoid');
  });

  it('a call and an open conflict dialog are not printed', async () => {
    const { $ } = await customerPage();
    const huddle = $('crm-huddle');
    await screenThenPaper(huddle.shadowRoot!.querySelector('button'), false, "the call's button");
    await emulateMedia({ media: 'screen' });
    const dialog = await fixture<CrmConflictDialog>(
      html`<crm-conflict-dialog
        .localData=${{ email: 'a@x.example' }}
        .remoteData=${{ email: 'b@x.example' }}
        open
      ></crm-conflict-dialog>`,
    );
    await dialog.updateComplete;
    const modal = dialog.shadowRoot!.querySelector('dialog');
    await waitUntil(() => modal?.open, 'the dialog opens');
    await screenThenPaper(modal, false, 'the open dialog');
  });
});
