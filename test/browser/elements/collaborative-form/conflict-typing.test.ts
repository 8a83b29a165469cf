/**
 * <crm-collaborative-form> while a conflict waits for the user's decision and they type on: what
 * they type into the conflicted field is the conflict's at once, but reaches the device's storage
 * once the typing pauses, or when the tab is hidden or the page goes, not on every keystroke; a
 * reload finds the last value. A conflict the page took over stays the page's, also after the page
 * amended it.
 */
import { expect, waitUntil } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import type { LiveConflict, MemoryOutboxStore } from '../../../../src/client/index.js';
import type { CrmCollaborativeForm } from '../../../../src/elements/collaborative-form/crm-collaborative-form.js';
import { BEN } from '../../../../stories/collaborative-form.fixtures.js';
import { closeFakeConnections } from '../../helpers/fake-connection.js';
import { field, mountForm, reloadForm, settle, type, type MountedForm } from './fixture.js';

afterEach(() => closeFakeConnections());

const dialogOf = (el: CrmCollaborativeForm) => el.shadowRoot!.querySelector('crm-conflict-dialog');

/** The user saved an email Ben had changed meanwhile: a conflict. */
async function conflictOnEmail(mounted: MountedForm): Promise<void> {
  const { fake, el, form } = mounted;
  type(field(el, 'email'), 'mine@northwind.example');
  fake.server.entities.remoteUpdate('customer', '42', { email: 'ben@northwind.example' }, BEN);
  await settle(mounted);
  form.requestSubmit();
  await settle(mounted);
}

/** The device's outbox storage, counting the writes of entries it holds. */
function storageOf({ fake }: MountedForm) {
  const store = fake.options.outbox as MemoryOutboxStore;
  const counted = { puts: 0 };
  const put = store.put.bind(store);
  store.put = (entry) => {
    counted.puts += 1;
    return put(entry);
  };
  const emails = async () => (await store.load()).map((e) => e.fields['email']);
  return { counted, emails };
}

/** The tab is hidden (`visibilitychange`) or shown again. */
function setHidden(hidden: boolean): void {
  if (hidden)
    Object.defineProperty(document, 'visibilityState', { value: 'hidden', configurable: true });
  else delete (document as { visibilityState?: unknown }).visibilityState;
  document.dispatchEvent(new Event('visibilitychange', { bubbles: true }));
}

afterEach(() => setHidden(false));

describe('<crm-collaborative-form> typing into a conflicted field', () => {
  it('stores the typing when the tab is hidden or the page goes, not per keystroke; a reload finds the last value', async () => {
    const before = await mountForm();
    const { fake, el } = before;
    const { counted, emails } = storageOf(before);
    await conflictOnEmail(before);
    expect(dialogOf(el)?.open).to.equal(true);
    await sendKeys({ press: 'Escape' }); // "later"
    await settle(before);
    await fake.client.outbox.flush();
    const writes = counted.puts;

    const email = field(el, 'email');
    for (const typed of ['m', 'ma', 'mar', 'marg', 'margaret@northwind']) {
      type(email, typed, false);
      await settle(before);
    }
    expect(fake.client.outbox.conflicts[0]!.mine).to.deep.equal(
      { email: 'margaret@northwind' },
      "the conflict's at once",
    );
    expect(counted.puts).to.equal(writes, 'no storage write per keystroke');
    expect(await emails()).to.deep.equal(['mine@northwind.example']);

    // The user switches tabs: what they typed is stored now, once.
    setHidden(true);
    await waitUntil(async () => (await emails())[0] === 'margaret@northwind', 'stored when hidden');
    expect(counted.puts).to.equal(writes + 1);
    setHidden(false);

    // Back, they finish the address, and reload the page at once.
    type(email, 'margaret@northwind.example', false);
    await settle(before);
    window.dispatchEvent(new PageTransitionEvent('pagehide', { persisted: false }));
    await waitUntil(
      async () => (await emails())[0] === 'margaret@northwind.example',
      'stored as the page goes',
    );
    expect(counted.puts).to.equal(writes + 2);

    const after = await reloadForm(before);
    await waitUntil(() => after.fake.client.outbox.conflicts.length === 1, 'the email conflicts');
    await settle(after);
    expect(field(after.el, 'email').value).to.equal('margaret@northwind.example');
    const dialog = dialogOf(after.el)!;
    await dialog.updateComplete;
    expect(dialog.localData['email']).to.equal('margaret@northwind.example', '"yours" is the last');
  });

  it('leaves a conflict the page took over to the page, also once the page amended it', async () => {
    const mounted = await mountForm();
    const { fake, el } = mounted;
    const taken: LiveConflict[] = [];
    el.addEventListener('crm-form-conflict', (e) => {
      e.preventDefault();
      taken.push(e.conflict);
    });
    await conflictOnEmail(mounted);
    expect(taken).to.have.length(1);
    const conflict = taken[0]!;
    // The user types on in the form's email field; the page keeps its own value for the conflict.
    type(field(el, 'email'), 'typed in the form', false);
    await settle(mounted);
    expect(conflict.amend({ email: 'the page’s value' })).to.equal(true);
    await settle(mounted);
    type(field(el, 'email'), 'typed on in the form', false);
    await settle(mounted);

    expect(fake.client.outbox.conflicts.map((c) => c.mine)).to.deep.equal(
      [{ email: 'the page’s value' }],
      'the page’s value, not the form’s typing',
    );
    expect(fake.client.outbox.conflicts[0]).to.equal(conflict, 'one conflict, one object');
    expect(conflict.mine).to.deep.equal({ email: 'the page’s value' });
    expect(dialogOf(el)?.open ?? false).to.equal(false);
    expect(taken).to.have.length(1, 'handed to the page once');
    await fake.client.outbox.flush();
    expect(fake.client.outbox.entries.map((e) => e.fields)).to.deep.equal([
      { email: 'the page’s value' },
    ]);
    const stored = await (fake.options.outbox as MemoryOutboxStore).load();
    expect(stored.map((e) => [e.mutationId, e.fields])).to.deep.equal(
      [[conflict.change.mutationId, { email: 'the page’s value' }]],
      'one entry on the device',
    );
  });

  it('opens no dialog on a save while the page holds the conflict; "Resolve…" still can', async () => {
    const mounted = await mountForm();
    const { el } = mounted;
    el.addEventListener('crm-form-conflict', (e) => e.preventDefault());
    await conflictOnEmail(mounted);
    type(field(el, 'name'), 'Another field', false);
    await settle(mounted);
    void el.save();
    await settle(mounted);
    expect(dialogOf(el)?.open ?? false).to.equal(false, 'the page asks, not the form');
    el.resolveConflict();
    await settle(mounted);
    expect(dialogOf(el)?.open ?? false).to.equal(true, 'asked for, the form shows it');
  });
});
