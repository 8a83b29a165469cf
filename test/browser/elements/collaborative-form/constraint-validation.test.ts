/**
 * <crm-collaborative-form> and the page's own constraints (`required`, `type="email"` …): a
 * submit saves the fields the user changed, so those, and only those, must pass them. A value the
 * CRM stored that breaks a constraint, in a field the user never touched, neither blocks the save
 * nor is pointed at; a changed field that breaks one blocks the submit as the browser would, with
 * its message and the focus there. The form's own `noValidate` is the page's again once the
 * element lets it go.
 */
import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import { MemoryOutboxStore } from '../../../../src/client/index.js';
import type { CrmCollaborativeForm } from '../../../../src/elements/collaborative-form/crm-collaborative-form.js';
import { CUSTOMER, customerForm } from '../../../../stories/collaborative-form.fixtures.js';
import { closeFakeConnections, fakeConnection } from '../../helpers/fake-connection.js';
import { field, mountForm, settle, statusText, submitPrevented, type } from './fixture.js';

afterEach(() => closeFakeConnections());

/** The CRM stored a contact name the page's form requires and an email its `type` refuses. */
const storedInvalid = () =>
  mountForm({
    prepare: (fake) =>
      fake.server.entities.put({
        ...CUSTOMER,
        fields: { ...CUSTOMER.fields, name: '', email: 'not an email' },
      }),
  });

/** The names of the fields the browser called invalid from now on (`invalid` does not bubble). */
function invalidEvents(form: HTMLFormElement): string[] {
  const names: string[] = [];
  form.addEventListener('invalid', (e) => names.push((e.target as HTMLInputElement).name), true);
  return names;
}

describe('<crm-collaborative-form> with values that break the page’s constraints', () => {
  it('saves a change to another field when an untouched one holds a stored invalid value', async () => {
    const mounted = await storedInvalid();
    const { fake, el, form } = mounted;
    expect(field(el, 'email').checkValidity()).to.equal(false, 'the stored email is invalid');
    const invalid = invalidEvents(form);
    type(field(el, 'phone'), '+44 20 7946 0999');
    expect(submitPrevented(form)).to.equal(true, 'the element took the submit');
    await waitUntil(
      () => fake.server.entities.get('customer', '42')?.fields['phone'] === '+44 20 7946 0999',
      'the phone is saved',
    );
    await settle(mounted);
    expect(invalid).to.deep.equal([], 'no field the user did not touch is pointed at');
    expect(document.activeElement).to.equal(field(el, 'phone'));
    expect(statusText(el)).to.equal('Saved');
  });

  it('saves on the form’s own submit button too', async () => {
    const mounted = await storedInvalid();
    const { fake, el, form } = mounted;
    type(field(el, 'phone'), '+44 20 7946 0888');
    form.addEventListener('submit', (e) => e.preventDefault()); // the test page stays
    form.querySelector<HTMLButtonElement>('button[type="submit"]')!.click();
    await waitUntil(
      () => fake.server.entities.get('customer', '42')?.fields['phone'] === '+44 20 7946 0888',
      'the phone is saved',
    );
  });

  it('blocks on a changed invalid field, pointing at it alone, and saves once it is valid', async () => {
    const mounted = await storedInvalid();
    const { fake, el, form } = mounted;
    const invalid = invalidEvents(form);
    type(field(el, 'phone'), '+44 20 7946 0999');
    type(field(el, 'email'), 'still no email');
    field(el, 'phone').focus();
    submitPrevented(form);
    await settle(mounted);
    expect(invalid).to.deep.equal(['email'], "the browser's check, on the changed field only");
    expect(document.activeElement).to.equal(field(el, 'email'), 'the focus is on it');
    expect(fake.server.received('entity.update')).to.have.length(0);
    expect(el.dirtyFields).to.have.members(['email', 'phone'], 'nothing typed is lost');

    type(field(el, 'email'), 'margaret@northwind.example');
    submitPrevented(form);
    await settle(mounted);
    expect(fake.server.received('entity.update').map((f) => f.fields)).to.deep.equal([
      { email: 'margaret@northwind.example', phone: '+44 20 7946 0999' },
    ]);
    expect(invalid).to.deep.equal(['email']);
  });

  it('lets a formnovalidate button save without the check, as the page asked', async () => {
    const mounted = await storedInvalid();
    const { fake, el, form } = mounted;
    const button = document.createElement('button');
    button.formNoValidate = true;
    form.append(button);
    type(field(el, 'email'), 'still no email');
    form.requestSubmit(button);
    await settle(mounted);
    expect(fake.server.received('entity.update').map((f) => f.fields)).to.deep.equal([
      { email: 'still no email' },
    ]);
  });
});

describe('<crm-collaborative-form> and the form’s noValidate', () => {
  it('is taken while live and given back when the element leaves', async () => {
    const { el, form } = await mountForm();
    expect(form.noValidate).to.equal(true);
    el.remove();
    expect(form.noValidate).to.equal(false);
  });

  it('is given back to a form the element no longer takes, and a novalidate form keeps its own', async () => {
    const fake = await fakeConnection({ outbox: new MemoryOutboxStore() });
    fake.server.entities.put(CUSTOMER);
    const page = await fixture<HTMLDivElement>(
      html`<div>
        <crm-realtime-provider .client=${fake.client}>
          <crm-collaborative-form
            form-id="one"
            entity-type="customer"
            entity-id="42"
            .clock=${fake.clock}
          ></crm-collaborative-form>
        </crm-realtime-provider>
        <form id="one"><input name="email" type="email" /></form>
        <form id="two" novalidate><input name="email" type="email" /></form>
      </div>`,
    );
    const el = page.querySelector<CrmCollaborativeForm>('crm-collaborative-form')!;
    await settle({ fake, el });
    const [one, two] = page.querySelectorAll('form');
    expect(one!.noValidate).to.equal(true);
    el.formId = 'two';
    await settle({ fake, el });
    expect(one!.noValidate).to.equal(false, 'the first form validates as before');
    el.remove();
    expect(two!.noValidate).to.equal(true, 'the page made it novalidate');
  });

  it('is left alone on a plain form (no provider): the browser checks it as before', async () => {
    const el = await fixture<CrmCollaborativeForm>(
      html`<crm-collaborative-form entity-type="customer" entity-id="42"
        >${customerForm()}</crm-collaborative-form
      >`,
    );
    const form = el.querySelector('form')!;
    expect(form.noValidate).to.equal(false);
    const invalid = invalidEvents(form);
    form.requestSubmit(); // the contact name is required and empty
    expect(invalid).to.deep.equal(['name']);
  });
});
