/**
 * <crm-collaborative-form> with fields the server says this user may not change (the snapshot's
 * `readOnly`, from the token's permissions): locked in the page's form, labelled with why for
 * screen readers, axe clean, unlocked again when the permission or the element goes; a
 * permission given or taken while the form is open applies live, when the server says the user's
 * field rules changed (`entity.rules-changed`).
 */
import { expect, fixture, html } from '@open-wc/testing';
import { MemoryOutboxStore } from '../../../../src/client/index.js';
import { DEMO_USER } from '../../../../src/testing/index.js';
import '../../../../src/elements/collaborative-form/define.js';
import type { CrmCollaborativeForm } from '../../../../src/elements/collaborative-form/crm-collaborative-form.js';
import '../../../../src/elements/realtime-provider/define.js';
import type { CrmRealtimeProvider } from '../../../../src/elements/realtime-provider/crm-realtime-provider.js';
import { CUSTOMER } from '../../../../stories/collaborative-form.fixtures.js';
import { closeFakeConnections, fakeConnection } from '../../helpers/fake-connection.js';
import { expectAccessible } from '../../helpers/settled.js';
import { field, mountForm, settle } from './fixture.js';

const NOTE = 'read only: you may not change this field';

/** The customer form, with these fields read-only for this user. */
const mount = (readOnly: readonly string[]) =>
  mountForm({ prepare: (fake) => (fake.server.entities.readOnlyFields = () => readOnly) });

/** The accessible name a screen reader reads for a control with a `<label>`. */
const labelTextOf = (input: HTMLInputElement | HTMLSelectElement) =>
  [...(input.labels ?? [])].map((l) => l.textContent?.trim()).join(' ');

afterEach(() => closeFakeConnections());

describe('<crm-collaborative-form> read-only fields', () => {
  it('locks a read-only text field, keeps its value and says why in its label', async () => {
    const { el } = await mount(['phone', 'status']);
    const phone = field(el, 'phone');
    expect(phone.readOnly).to.equal(true);
    expect(phone.value).to.equal(CUSTOMER.fields.phone);
    expect(labelTextOf(phone)).to.equal(`Phone (${NOTE})`);
    // A select has no read-only state: it is disabled.
    const status = field<HTMLSelectElement>(el, 'status');
    expect(status.disabled).to.equal(true);
    expect(labelTextOf(status)).to.contain(NOTE);
    // The others stay editable and unlabelled.
    expect(field(el, 'email').readOnly).to.equal(false);
    expect(labelTextOf(field(el, 'email'))).to.equal('Email');
    await expectAccessible(el);
  });

  it('a locked text field looks locked, over the page’s own input background', async () => {
    // The page's rules (formStyles) give every input the same white background; a readonly input
    // would otherwise look exactly like the editable one beside it.
    const { el } = await mount(['phone']);
    const locked = getComputedStyle(field(el, 'phone'));
    const editable = getComputedStyle(field(el, 'email'));
    expect(locked.backgroundColor).to.not.equal(editable.backgroundColor);
    expect(locked.color).to.not.equal(editable.color);
  });

  it('typing into a read-only field changes nothing and saves nothing', async () => {
    const { el, fake } = await mount(['phone']);
    const phone = field(el, 'phone');
    phone.focus();
    // A real keypress into a readonly input does not change it (the browser refuses).
    const { sendKeys } = await import('@web/test-runner-commands');
    await sendKeys({ type: '999' });
    expect(phone.value).to.equal(CUSTOMER.fields.phone);
    el.querySelector('form')!.requestSubmit();
    await settle({ fake, el });
    expect(fake.server.entities.get('customer', '42')!.version).to.equal(1);
  });

  it('unlocks a field made writable, and locks one made read-only, while the form is open', async () => {
    let readOnly = ['phone'];
    const { el, fake } = await mountForm({
      prepare: (f) => (f.server.entities.readOnlyFields = () => readOnly),
    });
    expect(field(el, 'phone').readOnly).to.equal(true);

    readOnly = ['email']; // the backend changed the user's rules, and said so
    fake.server.permissionsChanged(DEMO_USER.id, ['customer']);
    await settle({ fake, el });
    expect(field(el, 'phone').readOnly).to.equal(false);
    expect(labelTextOf(field(el, 'phone'))).to.equal('Phone');
    expect(field(el, 'email').readOnly).to.equal(true);
    expect(labelTextOf(field(el, 'email'))).to.equal(`Email (${NOTE})`);
    // Another type's rules leave this form alone.
    readOnly = [];
    fake.server.permissionsChanged(DEMO_USER.id, ['deal']);
    await settle({ fake, el });
    expect(field(el, 'email').readOnly).to.equal(true);
  });

  it('empties a field hidden from the user now, and fills one shown again', async () => {
    const { el, fake } = await mountForm();
    const { phone, ...rest } = CUSTOMER.fields;
    expect(field(el, 'phone').value).to.equal(phone);
    // Hidden now: the record as the user may see it has no phone (the reference server redacts
    // it; the fake stands for that by storing the record without it, at the same version).
    fake.server.entities.put({ ...CUSTOMER, fields: rest });
    fake.server.permissionsChanged(DEMO_USER.id, ['customer']);
    await settle({ fake, el });
    expect(field(el, 'phone').value).to.equal('');
    expect(field(el, 'email').value).to.equal(CUSTOMER.fields.email);
    // Nothing was changed by the user, so a save sends nothing.
    expect(el.dirtyFields).to.deep.equal([]);
    // Shown again.
    fake.server.entities.put(CUSTOMER);
    fake.server.permissionsChanged(DEMO_USER.id, ['customer']);
    await settle({ fake, el });
    expect(field(el, 'phone').value).to.equal(phone);
  });

  it('unlocks the field and takes the note out of its label when the element leaves', async () => {
    const { el } = await mount(['phone']);
    const phone = field(el, 'phone');
    const label = el.querySelector('label[for="f-phone"]')!;
    el.remove();
    expect(phone.readOnly).to.equal(false);
    expect(label.textContent?.trim()).to.equal('Phone');
  });

  it('leaves a field the page made read-only itself as it was', async () => {
    const fake = await fakeConnection({ outbox: new MemoryOutboxStore() });
    fake.server.entities.put(CUSTOMER);
    fake.server.entities.readOnlyFields = () => ['email'];
    const provider = await fixture<CrmRealtimeProvider>(
      html`<crm-realtime-provider .client=${fake.client}>
        <crm-collaborative-form entity-type="customer" entity-id="42" .clock=${fake.clock}>
          <form><label for="e">Email</label><input id="e" name="email" readonly /></form>
        </crm-collaborative-form>
      </crm-realtime-provider>`,
    );
    const el = provider.querySelector<CrmCollaborativeForm>('crm-collaborative-form')!;
    await settle({ fake, el });
    const email = field(el, 'email');
    expect(labelTextOf(email)).to.contain(NOTE);
    el.remove();
    expect(email.readOnly, 'still the page’s own read-only').to.equal(true);
  });
});
