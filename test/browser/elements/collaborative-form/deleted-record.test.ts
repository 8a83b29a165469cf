/**
 * <crm-collaborative-form> when the CRM deletes its record while the user edits it (the server's
 * `entity.deleted`; the fake server's `entities.remove` plays the backend's DELETE): the status
 * line (a polite live region) says so, once; `crm-form-deleted` fires once; what the user typed
 * stays in the fields to copy; a submit saves nothing and does not leave the page; axe passes.
 */
import { expect, oneEvent } from '@open-wc/testing';
import type { CrmFormDeletedEvent } from '../../../../src/events/collaborative-form-events.js';
import { closeFakeConnections } from '../../helpers/fake-connection.js';
import { expectAccessible } from '../../helpers/settled.js';
import { field, mountForm, settle, statusText, submitPrevented, type } from './fixture.js';

afterEach(() => closeFakeConnections());

describe('<crm-collaborative-form> whose record was deleted', () => {
  it('says so in its status line, fires crm-form-deleted once, and keeps the user’s values', async () => {
    const { fake, el, form } = await mountForm();
    const phone = field(el, 'phone');
    type(phone, '+44 20 7946 0123');
    const fired: CrmFormDeletedEvent[] = [];
    el.addEventListener('crm-form-deleted', (e) => fired.push(e));
    const deleted = oneEvent(el, 'crm-form-deleted') as unknown as Promise<CrmFormDeletedEvent>;
    fake.server.entities.remove('customer', '42');
    const event = await deleted;
    await settle({ fake, el });
    expect(event.entityId).to.equal('42');
    expect(el.status).to.equal('load-error');
    const status = el.shadowRoot!.querySelector('[part~="status"]')!;
    expect(status.getAttribute('role')).to.equal('status', 'a polite live region reads it once');
    expect(statusText(el)).to.equal('This record no longer exists');
    expect(phone.value).to.equal('+44 20 7946 0123', 'the user’s value stays to copy');

    // A submit is still the element's (the page does not post a deleted record) and sends nothing.
    const sentBefore = fake.server.received('entity.update').length;
    expect(submitPrevented(form)).to.equal(true);
    await settle({ fake, el });
    expect(fake.server.received('entity.update').length).to.equal(sentBefore);
    expect(phone.value).to.equal('+44 20 7946 0123');
    expect(fired.length).to.equal(1, 'said once');
    await expectAccessible(el);
  });

  it('a save on its way when the record goes is not rolled back: the values stay', async () => {
    const { fake, el, form } = await mountForm();
    const email = field(el, 'email');
    type(email, 'new@northwind.example');
    fake.server.entities.remove('customer', '42');
    form.requestSubmit();
    await settle({ fake, el });
    expect(el.status).to.equal('load-error');
    expect(email.value).to.equal('new@northwind.example');
    expect(el.shadowRoot!.querySelector('[role="alert"]')).to.equal(null, 'no roll-back banner');
  });
});
