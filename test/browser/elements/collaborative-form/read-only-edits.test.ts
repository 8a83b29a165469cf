/**
 * <crm-collaborative-form> when a field the user changed becomes read-only for them before it is
 * saved (a CRM admin changed their field rules): the user's other changes are saved; the field
 * shows it is read only now, keeps the user's value with a message under it, and the page hears
 * it. Whether the server refuses the field first (the form had not heard of the new rules) or
 * the form already knows (the record's `readOnly` arrived) and does not send it. A page reloaded
 * before the rest of the save was answered shows the refused value again, as the page before did.
 */
import { expect, oneEvent, waitUntil } from '@open-wc/testing';
import { IndexedDbOutboxStore } from '../../../../src/client/index.js';
import { DEMO_USER } from '../../../../src/testing/index.js';
import type {
  CrmFormErrorEvent,
  CrmFormRefusedEvent,
  CrmFormSavedEvent,
} from '../../../../src/events/collaborative-form-events.js';
import { CUSTOMER } from '../../../../stories/collaborative-form.fixtures.js';
import { closeFakeConnections } from '../../helpers/fake-connection.js';
import { deleteTestDatabases, uniqueDb } from '../../helpers/outbox-db.js';
import { expectAccessible } from '../../helpers/settled.js';
import { field, mountForm, reloadForm, settle, type } from './fixture.js';

const NOT_SAVED = 'Not saved: this field is now read only for you. Your value stays here to copy.';

afterEach(async () => {
  closeFakeConnections();
  await deleteTestDatabases();
});

/** The message shown under the field named `name`, if any. */
const messageUnder = (el: Element, name: string) =>
  el.querySelector<HTMLElement>(`[data-crm-field-error="${name}"]`);

describe('<crm-collaborative-form> a changed field made read-only before it is saved', () => {
  it('saves the other fields when the server refuses it, and keeps the value in it', async () => {
    let readOnly: string[] = [];
    const { el, fake, form } = await mountForm({
      prepare: (f) => (f.server.entities.readOnlyFields = () => readOnly),
    });
    const email = field(el, 'email');
    const phone = field(el, 'phone');
    type(email, 'sales@acme.test');
    type(phone, '+1 555 0199');
    // The admin makes email read-only; the server knows, the page not yet.
    readOnly = ['email'];
    const saved = oneEvent(el, 'crm-form-saved') as unknown as Promise<CrmFormSavedEvent>;
    const refused = oneEvent(el, 'crm-form-refused') as unknown as Promise<CrmFormRefusedEvent>;
    form.requestSubmit();
    const [done, refusal] = await Promise.all([saved, refused]);
    expect(done.fields).to.deep.equal({ phone: '+1 555 0199' });
    expect(refusal.fields).to.deep.equal({ email: 'sales@acme.test' });
    expect(refusal.error.code).to.equal('forbidden');
    expect(refusal.error.fields).to.deep.equal({ email: 'read-only for you' });
    expect(refusal.change.refused).to.deep.equal({ email: 'sales@acme.test' });
    const stored = fake.server.entities.get('customer', '42')!.fields;
    expect(stored['phone']).to.equal('+1 555 0199');
    expect(stored['email']).to.equal(CUSTOMER.fields['email']);

    // The server tells the page the rules changed; the record, read again, says read only.
    fake.server.permissionsChanged(DEMO_USER.id, ['customer']);
    await settle({ fake, el });
    expect(email.readOnly).to.equal(true);
    expect(email.value).to.equal('sales@acme.test', 'the user’s value stays, to copy');
    expect(phone.value).to.equal('+1 555 0199');
    expect(messageUnder(el, 'email')?.textContent).to.equal(NOT_SAVED);
    expect(email.getAttribute('aria-invalid')).to.equal('true');
    expect(el.shadowRoot!.querySelector('[role="alert"]')).to.equal(null, 'nothing rolled back');
    await expectAccessible(el);
  });

  it('says the read-only field when the CRM then refuses the other fields too', async () => {
    let readOnly: string[] = [];
    const { el, fake, form } = await mountForm({
      prepare: (f) => {
        f.server.entities.readOnlyFields = () => readOnly;
        f.server.entities.validate = (fields) =>
          'phone' in fields ? { phone: 'not a phone number' } : undefined;
      },
    });
    const email = field(el, 'email');
    const phone = field(el, 'phone');
    type(email, 'sales@acme.test');
    type(phone, 'call me');
    readOnly = ['email'];
    const refusals: CrmFormRefusedEvent[] = [];
    el.addEventListener('crm-form-refused', (e) => refusals.push(e as CrmFormRefusedEvent));
    const first = oneEvent(el, 'crm-form-refused');
    form.requestSubmit();
    await first;
    await settle({ fake, el });
    expect(refusals.length).to.equal(2, "the CRM's refusal and the read-only field, each said");
    const byField = Object.fromEntries(refusals.map((r) => [Object.keys(r.fields)[0]!, r]));
    expect(byField['phone']?.error.code).to.equal('invalid');
    expect(byField['email']?.fields).to.deep.equal({ email: 'sales@acme.test' });
    expect(byField['email']?.error.code).to.equal('forbidden');
    expect(messageUnder(el, 'phone')?.textContent).to.equal('not a phone number');
    expect(messageUnder(el, 'email')?.textContent).to.equal(NOT_SAVED);
    expect(email.value).to.equal('sales@acme.test');
  });

  it('does not send a changed field the record already says is read only, and says so', async () => {
    let readOnly: string[] = [];
    const { el, fake, form } = await mountForm({
      prepare: (f) => (f.server.entities.readOnlyFields = () => readOnly),
    });
    const email = field(el, 'email');
    const phone = field(el, 'phone');
    type(email, 'sales@acme.test');
    type(phone, '+1 555 0199');
    readOnly = ['email'];
    fake.server.permissionsChanged(DEMO_USER.id, ['customer']);
    await settle({ fake, el });
    expect(email.readOnly).to.equal(true);
    expect(email.value).to.equal('sales@acme.test', 'the unsaved edit is still shown');

    const failed = oneEvent(el, 'crm-form-error') as unknown as Promise<CrmFormErrorEvent>;
    const saved = oneEvent(el, 'crm-form-saved') as unknown as Promise<CrmFormSavedEvent>;
    form.requestSubmit();
    const error = await failed;
    expect(error.phase).to.equal('save');
    expect(error.error.code).to.equal('forbidden');
    expect(error.error.fields).to.deep.equal({ email: 'read-only for you' });
    expect(error.fields).to.deep.equal({ email: 'sales@acme.test' });
    expect((await saved).fields).to.deep.equal({ phone: '+1 555 0199' });
    await settle({ fake, el });
    expect(fake.server.received('entity.update').map((f) => f.fields)).to.deep.equal([
      { phone: '+1 555 0199' },
    ]);
    expect(email.value).to.equal('sales@acme.test');
    expect(messageUnder(el, 'email')?.textContent).to.equal(NOT_SAVED);
    expect(fake.server.entities.get('customer', '42')!.fields['phone']).to.equal('+1 555 0199');
    await expectAccessible(el);
  });
});

describe('<crm-collaborative-form> a value refused as read only, across a reload', () => {
  it('shows it again, kept in the field with its message, when the page reloads before the rest is saved', async () => {
    const db = uniqueDb();
    let readOnly: string[] = [];
    const before = await mountForm({
      outbox: new IndexedDbOutboxStore(db),
      prepare: (f) => (f.server.entities.readOnlyFields = () => readOnly),
    });
    type(field(before.el, 'email'), 'sales@acme.test');
    type(field(before.el, 'phone'), '+1 555 0199');
    readOnly = ['email'];
    // The server refuses the email; the phone goes on alone and is not answered before the reload.
    const rest = before.fake.server.hold(
      (f) => f.type === 'entity.update' && !('email' in f.fields),
    );
    before.form.requestSubmit();
    await waitUntil(() => rest.size === 1, 'the phone is on its way, unanswered');
    const refusals: CrmFormRefusedEvent[] = [];
    const heard = (e: Event) => refusals.push(e as CrmFormRefusedEvent);
    document.addEventListener('crm-form-refused', heard);

    try {
      const after = await reloadForm(before, { outbox: new IndexedDbOutboxStore(db) });
      rest.stop(); // its connection is gone: dropped unanswered
      await waitUntil(() => after.fake.client.outbox.entries.length === 0, 'the phone is answered');
      await settle(after);
      const { el, fake } = after;
      const email = field(el, 'email');
      expect(email.value).to.equal('sales@acme.test', 'the refused value is back, to copy');
      expect(email.readOnly).to.equal(true);
      expect(messageUnder(el, 'email')?.textContent).to.equal(NOT_SAVED);
      expect(email.getAttribute('aria-invalid')).to.equal('true');
      expect(field(el, 'phone').value).to.equal('+1 555 0199');
      const stored = fake.server.entities.get('customer', '42')!.fields;
      expect(stored['phone']).to.equal('+1 555 0199');
      expect(stored['email']).to.equal(CUSTOMER.fields['email']);
      expect(refusals.map((r) => [r.replayed, r.error.code, r.fields])).to.deep.equal([
        [true, 'forbidden', { email: 'sales@acme.test' }],
      ]);
      await expectAccessible(el);
    } finally {
      document.removeEventListener('crm-form-refused', heard);
    }
  });
});

describe('<crm-collaborative-form> a refused value the user replaced, across a reload', () => {
  it('shows their newer value, and their next save does not send the refused one', async () => {
    const db = uniqueDb();
    let readOnly: string[] = [];
    const before = await mountForm({
      outbox: new IndexedDbOutboxStore(db),
      prepare: (f) => (f.server.entities.readOnlyFields = () => readOnly),
    });
    type(field(before.el, 'email'), 'sales@acme.test');
    type(field(before.el, 'phone'), '+1 555 0199');
    readOnly = ['email'];
    const rest = before.fake.server.hold(
      (f) => f.type === 'entity.update' && !('email' in f.fields),
    );
    before.form.requestSubmit();
    await waitUntil(() => rest.size === 1, 'the phone is on its way, unanswered');
    await waitUntil(
      () => before.fake.client.outbox.entries.some((e) => e.refused),
      'the refused email is kept in the entry',
    );
    // The admin gives the email back; the user types a newer one and saves it (it waits behind
    // the phone).
    readOnly = [];
    before.fake.server.permissionsChanged(DEMO_USER.id, ['customer']);
    await settle(before);
    expect(field(before.el, 'email').readOnly).to.equal(false);
    type(field(before.el, 'email'), 'billing@acme.test');
    before.form.requestSubmit();
    await waitUntil(
      () => before.fake.client.outbox.entries.some((e) => 'email' in e.fields),
      'the newer email waits in the outbox',
    );
    const refusals: Event[] = [];
    const heard = (e: Event) => refusals.push(e);
    document.addEventListener('crm-form-refused', heard);

    try {
      const after = await reloadForm(before, { outbox: new IndexedDbOutboxStore(db) });
      rest.stop();
      await waitUntil(() => after.fake.client.outbox.entries.length === 0, 'both are answered');
      await settle(after);
      const { el, fake, form } = after;
      const stored = () => fake.server.entities.get('customer', '42')!.fields;
      expect(stored()['email']).to.equal('billing@acme.test');
      expect(field(el, 'email').value).to.equal('billing@acme.test', 'the newer value shows');
      expect(messageUnder(el, 'email')).to.equal(null);
      expect(refusals).to.have.length(0, 'the older value is not said as not saved');
      // The user's next save, of another field, leaves their newer email alone.
      type(field(el, 'phone'), '+1 555 0100');
      const saved = oneEvent(el, 'crm-form-saved') as unknown as Promise<CrmFormSavedEvent>;
      form.requestSubmit();
      expect((await saved).fields).to.deep.equal({ phone: '+1 555 0100' });
      expect(stored()['email']).to.equal('billing@acme.test');
    } finally {
      document.removeEventListener('crm-form-refused', heard);
    }
  });
});

describe('<crm-collaborative-form> a value saved again while its first save was on its way', () => {
  it('both refused as read only: the field keeps the newer value, said once', async () => {
    let readOnly: string[] = [];
    const { el, fake, form } = await mountForm({
      prepare: (f) => (f.server.entities.readOnlyFields = () => readOnly),
    });
    const email = field(el, 'email');
    type(email, 'sales@acme.test');
    type(field(el, 'phone'), '+1 555 0199');
    const first = fake.server.hold((f) => f.type === 'entity.update' && 'phone' in f.fields);
    form.requestSubmit();
    await waitUntil(() => first.size === 1, 'the first save is on its way');
    // The user changes their mind about the email and saves again, before the first is answered.
    type(email, 'billing@acme.test');
    form.requestSubmit();
    await waitUntil(
      () => fake.client.outbox.entries.length === 2,
      'the newer email waits behind the first save',
    );
    const refusals: CrmFormRefusedEvent[] = [];
    const heard = (e: Event) => refusals.push(e as CrmFormRefusedEvent);
    el.addEventListener('crm-form-refused', heard);
    // Meanwhile the admin made email read-only.
    readOnly = ['email'];
    first.stop();
    await waitUntil(() => fake.client.outbox.entries.length === 0, 'both are answered');
    await settle({ fake, el });

    expect(fake.server.entities.get('customer', '42')!.fields['phone']).to.equal('+1 555 0199');
    expect(email.value).to.equal('billing@acme.test', 'what the user typed last');
    expect(messageUnder(el, 'email')?.textContent).to.equal(NOT_SAVED);
    expect(refusals.map((r) => r.fields)).to.deep.equal([{ email: 'billing@acme.test' }]);
  });
});
