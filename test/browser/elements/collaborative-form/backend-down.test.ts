/**
 * <crm-collaborative-form> while the CRM's backend is down for writes (a server with
 * write-through answers `backend_unavailable`, as the fake server does once told
 * `setBackendDown`): the save waits and is sent again later; the form says the CRM did not
 * answer and counts down to the next try, on the form's clock, whether the server named the wait
 * (the backend's `Retry-After`) or the client's backoff chose it; once the CRM is back, the save
 * goes through and the form says "Saved".
 */
import { expect, waitUntil } from '@open-wc/testing';
import type { CrmCollaborativeForm } from '../../../../src/elements/collaborative-form/crm-collaborative-form.js';
import { closeFakeConnections } from '../../helpers/fake-connection.js';
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

const shadow = (el: CrmCollaborativeForm) => el.shadowRoot!;
const notes = (el: CrmCollaborativeForm) => field<HTMLTextAreaElement>(el, 'notes');

/** The form with the CRM down for writes, and one save refused for now. */
async function savedWhileDown(retryAfterMs?: number): Promise<MountedForm> {
  const mounted = await mountForm({
    prepare: ({ server }) =>
      server.setBackendDown(true, retryAfterMs === undefined ? {} : { retryAfterMs }),
  });
  const { fake, el, form } = mounted;
  type(notes(el), 'Called about the renewal');
  form.requestSubmit();
  await settle({ fake, el });
  // Refused (once, or twice when the outbox's first read ends meanwhile and sends it again).
  const codes = new Set(fake.server.sent('error').map((e) => e.code));
  expect([...codes]).to.deep.equal(['backend_unavailable']);
  expect(fake.client.status.state).to.equal('open');
  return mounted;
}

/** Moves the clock on and lets the form follow. */
async function advance({ fake, el }: MountedForm, ms: number): Promise<void> {
  await fake.clock.advance(ms);
  await settle({ fake, el });
}

afterEach(() => closeFakeConnections());

describe('<crm-collaborative-form> while the CRM is down for writes', () => {
  it('says the CRM did not answer and counts down to the backoff’s next try', async () => {
    const mounted = await savedWhileDown();
    const { fake, el } = mounted;
    // No wait named: the client's backoff chose one (half of 5 s, with this test's fixed draw).
    expect(fake.server.sent('error')[0]!.retryAfterMs).to.equal(undefined);
    expect(el.status).to.equal('unanswered');
    expect(statusText(el)).to.equal('Could not save: the CRM did not answer');
    expect(tabsOf(el, 'notes')).to.deep.equal(['Waiting to save']);
    expect(nextTryOf(el)).to.equal('Trying again in 3s');
    expect(shadow(el).textContent).not.to.contain('offline');

    await advance(mounted, 1000);
    expect(nextTryOf(el)).to.equal('Trying again in 2s');
    await advance(mounted, 1000);
    expect(nextTryOf(el)).to.equal('Trying again in 1s');

    // The try goes, is refused again, and the next (longer) wait is counted down in turn.
    const refusals = fake.server.sent('error').length;
    await advance(mounted, 500);
    await waitUntil(
      async () => {
        await settle(mounted);
        return fake.server.sent('error').length > refusals;
      },
      'the save was tried again and refused again',
      { timeout: 10_000 },
    );
    await settle(mounted);
    expect(statusText(el)).to.equal('Could not save: the CRM did not answer');
    expect(nextTryOf(el)).to.equal('Trying again in 5s');
  });

  it('counts down from the wait the server named (the backend’s Retry-After)', async () => {
    // 9.5 s named, and a twentieth of it more (this test's fixed draw), so a user's tabs do not
    // all send at one instant: 10 s.
    const mounted = await savedWhileDown(9_500);
    const { fake, el } = mounted;
    expect(fake.server.sent('error')[0]!.retryAfterMs).to.equal(9_500);
    expect(statusText(el)).to.equal('Could not save: the CRM did not answer');
    expect(nextTryOf(el)).to.equal('Trying again in 10s');
    await advance(mounted, 1000);
    expect(nextTryOf(el)).to.equal('Trying again in 9s');
    // Not before the named wait: the backoff alone would have tried at 2.5 s.
    const refusals = fake.server.sent('error').length;
    await advance(mounted, 2000);
    expect(fake.server.sent('error')).to.have.length(refusals);
    expect(nextTryOf(el)).to.equal('Trying again in 7s');
  });

  it('announces the wait once, not the countdown', async () => {
    const mounted = await savedWhileDown(9_500);
    const { el } = mounted;
    const region = shadow(el).querySelector('[role="status"]')!;
    expect(region.textContent?.trim()).to.equal('Could not save: the CRM did not answer');
    expect(region.contains(shadow(el).querySelector('[part~="next-try"]'))).to.equal(false);
    const changes: MutationRecord[] = [];
    const watch = new MutationObserver((records) => changes.push(...records));
    watch.observe(region, { subtree: true, childList: true, characterData: true });
    await advance(mounted, 1000);
    await advance(mounted, 1000);
    expect(nextTryOf(el)).to.equal('Trying again in 8s');
    changes.push(...watch.takeRecords());
    watch.disconnect();
    expect(changes).to.have.length(0);
  });

  it('shows the wait in a compact form too (a meeting’s inline form on a customer page)', async () => {
    const mounted = await savedWhileDown(9_500);
    const { el } = mounted;
    el.compact = true;
    await el.updateComplete;
    // A compact form hides its status line unless it needs the user: a save that waits for the
    // CRM does, else the field's "Waiting to save" is all the user sees, with no reason or time.
    const bar = shadow(el).querySelector<HTMLElement>('[part~="status-bar"]')!;
    expect(bar.getBoundingClientRect().height).to.be.greaterThan(2);
    expect(statusText(el)).to.equal('Could not save: the CRM did not answer');
    expect(nextTryOf(el)).to.equal('Trying again in 10s');
  });

  it('saves once the CRM is back, and says "Saved"', async () => {
    const mounted = await savedWhileDown(9_500);
    const { fake, el } = mounted;
    fake.server.setBackendDown(false);
    await fake.clock.advance(10_000);
    // The outbox's Web Locks are real tasks, which a busy machine may delay past a few rounds.
    await waitUntil(
      async () => {
        await settle(mounted);
        return statusText(el) === 'Saved';
      },
      'saved once the CRM is back',
      { timeout: 10_000 },
    );
    expect(nextTryOf(el)).to.equal(undefined);
    expect(tabsOf(el, 'notes')).to.deep.equal([]);
    const stored = fake.server.entities.get('customer', '42')!;
    expect(stored.fields['notes']).to.equal('Called about the renewal');
    expect(stored.version).to.equal(2);
  });
});
