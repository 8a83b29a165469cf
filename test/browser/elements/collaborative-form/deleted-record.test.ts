/**
 * <crm-collaborative-form> when the CRM deletes its record while the user edits it (the server's
 * `entity.deleted`; the fake server's `entities.remove` plays the backend's DELETE): the status
 * line (a polite live region) says so, once; `crm-form-deleted` fires once; what the user typed
 * stays in the fields to copy; a submit saves nothing and does not leave the page; axe passes.
 * The page's submit buttons read and look inactive (`aria-disabled`, dimmed), stay focusable, and a
 * press says why; they are given back as they were when the form shows a live record again.
 */
import { expect, oneEvent } from '@open-wc/testing';
import type { CrmFormDeletedEvent } from '../../../../src/events/collaborative-form-events.js';
import { closeFakeConnections } from '../../helpers/fake-connection.js';
import { expectAccessible } from '../../helpers/settled.js';
import {
  field,
  mountForm,
  settle,
  statusText,
  submitPrevented,
  type,
  type MountedForm,
} from './fixture.js';

/** What the form's polite announcements region says. */
const announced = (el: Element) =>
  el.shadowRoot!.querySelector('[aria-live="polite"]:not([role])')?.textContent?.trim();

/** The page's Save, and a second submit button the page marked `aria-disabled="false"` itself. */
function buttons({ el, form }: MountedForm) {
  const save = [...el.querySelectorAll('button')].find((b) => b.textContent === 'Save')!;
  const reset = el.querySelector<HTMLButtonElement>('button[type="reset"]')!;
  const other = document.createElement('button');
  other.textContent = 'Save and close';
  other.setAttribute('aria-disabled', 'false');
  form.append(other);
  return { save, reset, other };
}

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

  it('marks the page’s submit buttons inactive, says why when one is pressed, and gives them back', async () => {
    const mounted = await mountForm();
    const { fake, el, form } = mounted;
    fake.server.entities.put({ type: 'customer', id: '43', fields: { name: 'Jonas Weber' } });
    const { save, reset, other } = buttons(mounted);
    await settle({ fake, el });
    expect(save.hasAttribute('aria-disabled')).to.equal(false, 'active while the record lives');
    expect(el.hasAttribute('deleted')).to.equal(false);

    fake.server.entities.remove('customer', '42');
    await settle({ fake, el });
    expect(el.deleted).to.equal(true);
    expect(el.hasAttribute('deleted')).to.equal(true, 'for page CSS');
    for (const button of [save, other]) {
      expect(button.getAttribute('aria-disabled')).to.equal('true', button.textContent!);
      expect(button.hasAttribute('data-crm-deleted')).to.equal(true);
      expect(button.disabled).to.equal(false, 'still focusable and pressable');
    }
    expect(getComputedStyle(save).cursor).to.equal('not-allowed', 'looks inactive');
    expect(reset.hasAttribute('aria-disabled')).to.equal(false, 'only what submits');
    await expectAccessible(el);

    // A press is answered: the reason is said again, each time, and nothing is sent.
    const sent = fake.server.received('entity.update').length;
    save.focus();
    save.click();
    await settle({ fake, el });
    expect(announced(el)).to.equal('This record no longer exists');
    expect(document.activeElement).to.equal(save, 'the focus stays on the button');
    form.requestSubmit(other);
    await settle({ fake, el });
    expect(announced(el)).to.equal('This record no longer exists', 'said again');
    expect(fake.server.received('entity.update').length).to.equal(sent);

    // Another record: the buttons are the page's again, exactly as they were.
    el.entityId = '43';
    await settle({ fake, el });
    expect(field(el, 'name').value).to.equal('Jonas Weber');
    expect(el.deleted).to.equal(false);
    expect(el.hasAttribute('deleted')).to.equal(false);
    expect(save.hasAttribute('aria-disabled')).to.equal(false);
    expect(other.getAttribute('aria-disabled')).to.equal('false');
    expect(save.hasAttribute('data-crm-deleted')).to.equal(false);
    expect(getComputedStyle(save).cursor).to.not.equal('not-allowed');
  });

  it('marks a submit button the page adds after the record went, and unmarks one it takes out', async () => {
    const mounted = await mountForm();
    const { fake, el, form } = mounted;
    const { save } = buttons(mounted);
    fake.server.entities.remove('customer', '42');
    await settle({ fake, el });
    const added = document.createElement('button');
    added.textContent = 'Save copy';
    const turned = document.createElement('button');
    turned.type = 'button';
    form.append(added, turned);
    turned.type = 'submit'; // a plain button the page makes a submit button
    // Mutation records and the form's look at them are microtasks: done before the next task,
    // with nothing else for the form to update on.
    await new Promise((resolve) => setTimeout(resolve));
    for (const button of [added, turned]) {
      expect(button.getAttribute('aria-disabled')).to.equal('true', button.textContent!);
      expect(button.hasAttribute('data-crm-deleted')).to.equal(true);
    }
    save.remove(); // the page re-renders its toolbar: the old button is its own again
    await new Promise((resolve) => setTimeout(resolve));
    expect(save.hasAttribute('aria-disabled')).to.equal(false);
    expect(save.hasAttribute('data-crm-deleted')).to.equal(false);
  });

  it('gives the buttons back when it leaves the page', async () => {
    const mounted = await mountForm();
    const { fake, el } = mounted;
    const { save } = buttons(mounted);
    fake.server.entities.remove('customer', '42');
    await settle({ fake, el });
    expect(save.getAttribute('aria-disabled')).to.equal('true');
    el.remove();
    expect(save.hasAttribute('aria-disabled')).to.equal(false);
    expect(save.hasAttribute('data-crm-deleted')).to.equal(false);
  });
});
