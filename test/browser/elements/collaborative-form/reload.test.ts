/**
 * <crm-collaborative-form> across a reload: a save that waits in the outbox when the page is
 * reloaded is sent by the next page, and whatever its answer, the user hears of it there. A
 * refusal (the user may no longer change the record, the CRM's backend refuses the value) is
 * shown and said, naming the field and why, the value stays one click away (or in its field), and
 * the page hears `crm-form-refused`; a refusal of a save made online looks and sounds the same.
 * A save made while a conflict waits for the user's decision is in the outbox at once, like any
 * other, so a reload before the decision keeps it; it is sent once the conflict is resolved.
 */
import { expect, waitUntil } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import type { CrmCollaborativeForm } from '../../../../src/elements/collaborative-form/crm-collaborative-form.js';
import type {
  CrmFormErrorEvent,
  CrmFormRefusedEvent,
} from '../../../../src/events/collaborative-form-events.js';
import { DEMO_USER } from '../../../../src/testing/index.js';
import { BEN, CUSTOMER } from '../../../../stories/collaborative-form.fixtures.js';
import { closeFakeConnections, type FakeConnection } from '../../helpers/fake-connection.js';
import {
  field,
  mountForm,
  reloadForm,
  settle,
  statusText,
  type,
  type MountedForm,
} from './fixture.js';

const PHONE_MESSAGE = 'Enter a phone number with at least 7 digits';

const unlisten: (() => void)[] = [];

afterEach(() => {
  closeFakeConnections();
  for (const stop of unlisten.splice(0)) stop();
});

/** Events of `type` heard on the document from now on (the reloaded form is not there yet). */
function heard<K extends keyof DocumentEventMap>(type: K) {
  const events: DocumentEventMap[K][] = [];
  const listener = (event: DocumentEventMap[K]) => events.push(event);
  document.addEventListener(type, listener);
  unlisten.push(() => document.removeEventListener(type, listener));
  return events;
}

const shadow = (el: CrmCollaborativeForm) => el.shadowRoot!;
const alertText = (el: CrmCollaborativeForm) =>
  shadow(el).querySelector('[role="alert"]')?.textContent?.replace(/\s+/g, ' ').trim();
const dialogOf = (el: CrmCollaborativeForm) => shadow(el).querySelector('crm-conflict-dialog');
const announced = (el: CrmCollaborativeForm) =>
  shadow(el).querySelector('[aria-live="polite"]:not([role])')?.textContent?.trim();

/** The server says no to the demo user's saves from now on; they may still read. */
const forbidSaves = (fake: FakeConnection) =>
  (fake.server.entities.authorize = (user, _entity, access) =>
    access === 'read' || user.id !== DEMO_USER.id);

/** The CRM backend's rule: a phone needs 7 digits. */
const validatePhone = (fake: FakeConnection) =>
  (fake.server.entities.validate = (fields) =>
    typeof fields['phone'] === 'string' && fields['phone'].replace(/\D/g, '').length < 7
      ? { phone: PHONE_MESSAGE }
      : undefined);

/** The reloaded page sent what the page before it left and has its answer; the form shows it. */
async function replayed(mounted: MountedForm): Promise<void> {
  const { fake } = mounted;
  await waitUntil(() => fake.client.outbox.entries.length === 0, 'the replayed save is answered');
  await settle(mounted);
}

/** The form, offline, saves `name` = `value`; it waits in the outbox when the page reloads. */
async function savedOffline(name: string, value: string) {
  const mounted = await mountForm();
  const { fake, el, form } = mounted;
  fake.server.refuseConnections(true);
  fake.server.dropConnections();
  await settle({ fake, el });
  type(field(el, name), value);
  form.requestSubmit();
  await settle({ fake, el });
  expect(statusText(el)).to.equal('1 change waiting offline');
  return mounted;
}

describe('<crm-collaborative-form> after a reload', () => {
  it('says a replayed save the server refused was not saved, naming the field and why, and offers it back', async () => {
    const refused = heard('crm-form-refused');
    const errors = heard('crm-form-error');
    const before = await savedOffline('email', 'nope@northwind.example');
    // Meanwhile the user lost the right to change the record; the page reloads online.
    forbidSaves(before.fake);
    before.fake.server.refuseConnections(false);
    const after = await reloadForm(before);
    await replayed(after);
    const { fake, el } = after;
    // Replayed and refused: until now, that was said only here.
    expect(fake.client.outbox.snapshot().rejected.map((c) => c.error?.code)).to.deep.equal([
      'forbidden',
    ]);
    const email = field(el, 'email');
    expect(email.value).to.equal(CUSTOMER.fields['email'], 'the stored value shows');
    expect(statusText(el)).to.equal('Not saved');
    expect(alertText(el)).to.contain(
      'Could not save Email: you may not change this record. The saved value is shown again.',
    );
    expect(email.hasAttribute('data-crm-error')).to.equal(true);
    expect(refused).to.have.length(1);
    const [event] = refused as CrmFormRefusedEvent[];
    expect(event!.target).to.equal(el);
    expect(event!.replayed).to.equal(true);
    expect(event!.error.code).to.equal('forbidden');
    expect(event!.fields).to.deep.equal({ email: 'nope@northwind.example' });
    expect(event!.change.state).to.equal('rejected');
    expect((errors as CrmFormErrorEvent[]).map((e) => e.phase)).to.deep.equal(['save']);

    // The user's value is one click away, as their unsaved change.
    shadow(el).querySelector<HTMLButtonElement>('[part~="restore"]')!.click();
    await el.updateComplete;
    expect(email.value).to.equal('nope@northwind.example');
    expect(el.dirtyFields).to.deep.equal(['email']);
  });

  it('keeps a replayed value the CRM backend refused in its field, with the message, and says so', async () => {
    const refused = heard('crm-form-refused');
    const before = await savedOffline('phone', '12');
    validatePhone(before.fake);
    before.fake.server.refuseConnections(false);
    const after = await reloadForm(before);
    await replayed(after);
    const { fake, el } = after;

    const phone = field(el, 'phone');
    expect(phone.value).to.equal('12', 'the refused value stays, as the user’s edit');
    expect(el.dirtyFields).to.deep.equal(['phone']);
    expect(phone.getAttribute('aria-invalid')).to.equal('true');
    const message = el.querySelector<HTMLElement>('[data-crm-field-error="phone"]');
    expect(message?.textContent).to.equal(PHONE_MESSAGE);
    expect(statusText(el)).to.equal('Not saved: check the marked field');
    expect(announced(el)).to.equal(`Phone was not saved: ${PHONE_MESSAGE}.`);
    expect(refused.map((e) => [e.replayed, e.error.code, e.fields])).to.deep.equal([
      [true, 'invalid', { phone: '12' }],
    ]);
    expect(fake.server.entities.get('customer', '42')?.fields['phone']).to.equal(
      CUSTOMER.fields['phone'],
    );
  });
});

describe('<crm-collaborative-form> refusing a save made online', () => {
  it('says so as after a reload: the status, the field and why, and the event', async () => {
    const refused = heard('crm-form-refused');
    const { fake, el, form } = await mountForm();
    forbidSaves(fake);
    type(field(el, 'email'), 'nope@northwind.example');
    form.requestSubmit();
    await settle({ fake, el });
    expect(statusText(el)).to.equal('Not saved');
    expect(alertText(el)).to.contain('Could not save Email: you may not change this record.');
    expect(refused.map((e) => [e.replayed, e.error.code, e.fields])).to.deep.equal([
      [false, 'forbidden', { email: 'nope@northwind.example' }],
    ]);
  });

  it('names the field the CRM backend refused and its message, as after a reload', async () => {
    const refused = heard('crm-form-refused');
    const { fake, el, form } = await mountForm({ prepare: validatePhone });
    type(field(el, 'phone'), '12');
    form.requestSubmit();
    await settle({ fake, el });
    expect(statusText(el)).to.equal('Not saved: check the marked field');
    expect(announced(el)).to.equal(`Phone was not saved: ${PHONE_MESSAGE}.`);
    expect(refused.map((e) => [e.replayed, e.error.code])).to.deep.equal([[false, 'invalid']]);
  });
});

describe('<crm-collaborative-form> with a conflict to resolve', () => {
  it('stores a save made meanwhile at once, keeps it across a reload, and sends it once resolved', async () => {
    const before = await mountForm();
    const { fake, el, form } = before;
    // The user's email and Ben's clash: the dialog asks which to keep.
    type(field(el, 'email'), 'mine@northwind.example');
    fake.server.entities.remoteUpdate('customer', '42', { email: 'ben@northwind.example' }, BEN);
    await settle(before);
    form.requestSubmit();
    await settle(before);
    expect(dialogOf(el)?.open).to.equal(true);
    // "Later" (Escape); the user changes the phone and saves.
    await sendKeys({ press: 'Escape' });
    await settle(before);
    type(field(el, 'phone'), '+44 20 7946 0999');
    form.requestSubmit();
    await settle(before);
    expect(dialogOf(el)?.open).to.equal(true, 'the conflict still asks to be resolved');
    expect(fake.client.outbox.entries.map((e) => e.fields)).to.deep.equal(
      [{ email: 'mine@northwind.example' }, { phone: '+44 20 7946 0999' }],
      'the phone is on the device, behind the conflict',
    );
    expect(fake.server.entities.get('customer', '42')?.fields['phone']).to.equal(
      CUSTOMER.fields['phone'],
      'not sent before the conflict is resolved',
    );

    // The page reloads with the dialog unanswered: the email conflicts again, the phone waits.
    const after = await reloadForm(before);
    await waitUntil(() => after.fake.client.outbox.conflicts.length === 1, 'the email conflicts');
    await settle(after);
    expect(field(after.el, 'phone').value).to.equal('+44 20 7946 0999');
    const dialog = dialogOf(after.el)!;
    await dialog.updateComplete;
    expect(dialog.open).to.equal(true);
    // Keep "mine": the email is saved, then the phone.
    dialog.shadowRoot!.querySelector<HTMLButtonElement>('[part~="button-primary"]')!.click();
    await waitUntil(() => after.fake.client.outbox.entries.length === 0, 'both are answered');
    await settle(after);
    const stored = after.fake.server.entities.get('customer', '42')!.fields;
    expect(stored['email']).to.equal('mine@northwind.example');
    expect(stored['phone']).to.equal('+44 20 7946 0999');
    expect(statusText(after.el)).to.equal('Saved');
  });

  it('keeps what the user typed in the conflicted field after "later" as theirs, across a reload', async () => {
    const before = await mountForm();
    const { fake, el, form } = before;
    type(field(el, 'email'), 'mine@northwind.example');
    fake.server.entities.remoteUpdate('customer', '42', { email: 'ben@northwind.example' }, BEN);
    await settle(before);
    form.requestSubmit();
    await settle(before);
    expect(dialogOf(el)?.open).to.equal(true);
    // "Later" (Escape); the user types on in the email, with no save, and the page reloads.
    await sendKeys({ press: 'Escape' });
    await settle(before);
    type(field(el, 'email'), 'margaret@northwind.example', false);
    await settle(before);
    expect(fake.client.outbox.entries.map((e) => e.fields)).to.deep.equal(
      [{ email: 'margaret@northwind.example' }],
      'the newer typing is on the device, as the conflicting save',
    );

    const after = await reloadForm(before);
    await waitUntil(() => after.fake.client.outbox.conflicts.length === 1, 'the email conflicts');
    await settle(after);
    expect(field(after.el, 'email').value).to.equal('margaret@northwind.example');
    const dialog = dialogOf(after.el)!;
    await dialog.updateComplete;
    expect(dialog.open).to.equal(true);
    expect(dialog.localData['email']).to.equal(
      'margaret@northwind.example',
      '"yours" is the latest',
    );
    // Keep "mine": the latest typing is saved.
    dialog.shadowRoot!.querySelector<HTMLButtonElement>('[part~="button-primary"]')!.click();
    await waitUntil(
      () => after.fake.client.outbox.entries.length === 0,
      'the resolution is answered',
    );
    await settle(after);
    expect(after.fake.server.entities.get('customer', '42')!.fields['email']).to.equal(
      'margaret@northwind.example',
    );
    expect(statusText(after.el)).to.equal('Saved');
  });
});
