/**
 * <crm-collaborative-form> while the server refuses saves for now on an open connection: the
 * user's write budget is spent (`rate_limited`), as the fake server's budget applies it. The
 * saves wait in the outbox and are sent again later; the form says they wait to be saved and
 * when the next try is, never that the user is offline (they are not), and says "offline" again
 * once the connection is really lost.
 */
import { expect, waitUntil } from '@open-wc/testing';
import type { CrmCollaborativeForm } from '../../../../src/elements/collaborative-form/crm-collaborative-form.js';
import { closeFakeConnections, goReconnecting } from '../../helpers/fake-connection.js';
import {
  field,
  mountForm,
  settle,
  statusText,
  type,
  type MountedForm,
  tabsOf,
  nextTryOf,
} from './fixture.js';

/** Each save below sends one of these (3,000 characters, a frame of about 3.2 KB). */
const LONG_A = 'a'.repeat(3000);
const LONG_B = 'b'.repeat(3000);

const shadow = (el: CrmCollaborativeForm) => el.shadowRoot!;
const notes = (el: CrmCollaborativeForm) => field<HTMLTextAreaElement>(el, 'notes');

/**
 * The form with a write budget of one and a half such saves a minute: the first save is
 * stored, the second refused `rate_limited` until the budget has filled again (20 s later).
 */
async function overBudget(): Promise<MountedForm> {
  const mounted = await mountForm({ server: { writeBytesPerMinute: 4800 } });
  const { fake, el, form } = mounted;
  type(notes(el), LONG_A);
  form.requestSubmit();
  await settle({ fake, el });
  expect(statusText(el)).to.equal('Saved');
  type(notes(el), LONG_B);
  form.requestSubmit();
  await settle({ fake, el });
  expect(fake.server.sent('error').map((e) => e.code)).to.deep.equal(['rate_limited']);
  expect(fake.client.status.state).to.equal('open');
  return mounted;
}

afterEach(() => closeFakeConnections());

describe('<crm-collaborative-form> when the server refuses a save for now', () => {
  it('says the save waits to be saved and when it is tried again, not that it waits offline', async () => {
    const { fake, el } = await overBudget();
    expect(statusText(el)).to.equal('1 change waiting to be saved');
    // The wait the server names: the budget has room for the save again in 20 s (and a little
    // more, so a user's tabs do not all send at one instant), not the backoff's guess of 2.5 s.
    const error = fake.server.sent('error')[0]!;
    expect(error.retryAfterMs).to.be.within(19_000, 20_000);
    expect(nextTryOf(el)).to.equal('Trying again in 20s');
    expect(tabsOf(el, 'notes')).to.deep.equal(['Waiting to save']);
    expect(el.status).to.equal('retrying');
    expect(shadow(el).textContent).not.to.contain('offline');

    // The countdown moves on, once a second.
    await fake.clock.advance(1000);
    await settle({ fake, el });
    expect(nextTryOf(el)).to.equal('Trying again in 19s');
  });

  it('saves it once the budget has filled again, and says "Saved"', async () => {
    const { fake, el } = await overBudget();
    // Sent again when the server said the budget would hold it.
    await fake.clock.advance(21_000);
    // The outbox's Web Locks are real tasks, which a busy machine may delay past a few rounds.
    await waitUntil(
      async () => {
        await settle({ fake, el });
        return statusText(el) === 'Saved';
      },
      'saved once the budget holds it',
      { timeout: 10_000 },
    );
    expect(nextTryOf(el)).to.equal(undefined);
    expect(tabsOf(el, 'notes')).to.deep.equal([]);
    expect(fake.server.entities.get('customer', '42')!.fields['notes']).to.equal(LONG_B);
  });

  it('announces the wait once, not the countdown', async () => {
    const { fake, el } = await overBudget();
    const region = shadow(el).querySelector('[role="status"]')!;
    expect(region.textContent?.trim()).to.equal('1 change waiting to be saved');
    // The countdown is beside the live region, not in it.
    expect(region.contains(shadow(el).querySelector('[part~="next-try"]'))).to.equal(false);
    const changes: MutationRecord[] = [];
    const watch = new MutationObserver((records) => changes.push(...records));
    watch.observe(region, { subtree: true, childList: true, characterData: true });
    await fake.clock.advance(1000);
    await settle({ fake, el });
    await fake.clock.advance(1000);
    await settle({ fake, el });
    expect(nextTryOf(el)).to.equal('Trying again in 18s');
    changes.push(...watch.takeRecords());
    watch.disconnect();
    expect(changes).to.have.length(0);
  });

  it('still says "waiting offline" once the connection is lost', async () => {
    const { fake, el } = await overBudget();
    await goReconnecting(fake);
    await settle({ fake, el });
    expect(statusText(el)).to.equal('1 change waiting offline');
    expect(tabsOf(el, 'notes')).to.deep.equal(['Waiting offline']);
    expect(nextTryOf(el)).to.equal(undefined);
  });
});
