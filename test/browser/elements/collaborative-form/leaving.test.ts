/**
 * Leaving the form with changes in it: `save-mode="change"` saves them at once when the page goes
 * to the background, is left, or the element leaves it (the delay would never end); `submit` mode
 * asks the browser to confirm closing the page, while (and only while) changes are not saved.
 */
import { expect } from '@open-wc/testing';
import { field, mountForm, settle, type, type MountedForm } from './fixture.js';

/** Whether the browser would ask before closing the page now. */
function wouldAsk(): boolean {
  const event = new Event('beforeunload', { cancelable: true });
  window.dispatchEvent(event);
  return event.defaultPrevented;
}

const updates = ({ fake }: MountedForm) => fake.server.received('entity.update');

describe('<crm-collaborative-form> left with changes', () => {
  describe('save-mode="change"', () => {
    it('saves a change at once when the element leaves the page before its delay', async () => {
      const mounted = await mountForm({ saveMode: 'change' });
      const { fake, el, provider } = mounted;
      type(field(el, 'phone'), '+44 20 3333 4444');
      await el.updateComplete;
      provider.remove(); // a framework's route change
      await fake.clock.flush();
      expect(updates(mounted)).to.have.length(1);
      expect(updates(mounted)[0]!.fields).to.deep.equal({ phone: '+44 20 3333 4444' });
      expect(fake.server.entities.get('customer', '42')!.fields['phone']).to.equal(
        '+44 20 3333 4444',
      );
    });

    it('a move within the page (a framework re-parenting it) saves nothing half typed', async () => {
      const mounted = await mountForm({ saveMode: 'change' });
      const { fake, el, provider } = mounted;
      type(field(el, 'email'), 'm.h@northwind.example'); // changed: waits for its delay
      type(field(el, 'name'), 'Marg', false); // still being typed
      await el.updateComplete;
      const elsewhere = document.createElement('section');
      provider.parentElement!.append(elsewhere);
      elsewhere.append(provider);
      await settle({ fake, el });
      expect(updates(mounted), 'nothing saved by the move').to.have.length(0);
      expect(field(el, 'name').value).to.equal('Marg');
      expect(el.dirtyFields).to.have.members(['email', 'name']);
      // The change that waited for its delay is saved when it ends, as without the move.
      await fake.clock.advance(1_000);
      await settle({ fake, el });
      expect(updates(mounted).map((u) => u.fields)).to.deep.equal([
        { email: 'm.h@northwind.example', name: 'Marg' },
      ]);
    });

    it('leaving the page after a move still saves what is being typed', async () => {
      const mounted = await mountForm({ saveMode: 'change' });
      const { fake, el, provider } = mounted;
      const elsewhere = document.createElement('section');
      provider.parentElement!.append(elsewhere);
      elsewhere.append(provider);
      await settle({ fake, el });
      type(field(el, 'name'), 'Margaret H.', false);
      await el.updateComplete;
      elsewhere.remove();
      await settle({ fake, el });
      expect(updates(mounted).map((u) => u.fields)).to.deep.equal([{ name: 'Margaret H.' }]);
    });

    it('saves what is being typed when the page goes to the background', async () => {
      const mounted = await mountForm({ saveMode: 'change' });
      const { fake, el } = mounted;
      type(field(el, 'name'), 'Margaret H.', false); // still in the field: no change event yet
      await el.updateComplete;
      const own = Object.getOwnPropertyDescriptor(document, 'visibilityState');
      Object.defineProperty(document, 'visibilityState', { value: 'hidden', configurable: true });
      try {
        document.dispatchEvent(new Event('visibilitychange'));
      } finally {
        if (own) Object.defineProperty(document, 'visibilityState', own);
        else delete (document as { visibilityState?: string }).visibilityState;
      }
      await settle({ fake, el });
      expect(updates(mounted).map((u) => u.fields)).to.deep.equal([{ name: 'Margaret H.' }]);
      expect(el.dirtyFields).to.deep.equal([]);
    });

    it('saves a waiting change on pagehide, and never asks before unload', async () => {
      const mounted = await mountForm({ saveMode: 'change' });
      const { fake, el } = mounted;
      type(field(el, 'email'), 'm.h@northwind.example');
      await el.updateComplete;
      expect(wouldAsk()).to.equal(false);
      window.dispatchEvent(new Event('pagehide'));
      await settle({ fake, el });
      expect(updates(mounted).map((u) => u.fields)).to.deep.equal([
        { email: 'm.h@northwind.example' },
      ]);
      // Nothing waits any more: the delay's own save finds nothing to send.
      await fake.clock.advance(1_000);
      await settle({ fake, el });
      expect(updates(mounted)).to.have.length(1);
    });

    it('asks before unload while a changed value fails its validation, which is not saved', async () => {
      const mounted = await mountForm({ saveMode: 'change' });
      const { fake, el } = mounted;
      const email = field(el, 'email');
      type(email, 'not an address');
      await el.updateComplete;
      window.dispatchEvent(new Event('pagehide'));
      await fake.clock.advance(1_000);
      await settle({ fake, el });
      expect(updates(mounted), 'an invalid value is not saved').to.have.length(0);
      expect(wouldAsk(), 'closing the page would lose it').to.equal(true);
      type(email, 'm.h@northwind.example');
      await fake.clock.advance(1_000);
      await settle({ fake, el });
      expect(updates(mounted).map((u) => u.fields)).to.deep.equal([
        { email: 'm.h@northwind.example' },
      ]);
      expect(wouldAsk(), 'corrected and saved').to.equal(false);
    });
  });

  describe('save-mode="submit"', () => {
    it('keeps asking through a move within the page', async () => {
      const mounted = await mountForm();
      const { el, provider } = mounted;
      type(field(el, 'phone'), '+44 20 5555 6666');
      await el.updateComplete;
      const elsewhere = document.createElement('section');
      provider.parentElement!.append(elsewhere);
      elsewhere.append(provider);
      expect(wouldAsk(), 'in the task of the move').to.equal(true);
      await el.updateComplete;
      expect(wouldAsk(), 'after it').to.equal(true);
    });

    it('asks before unload while changes are not saved, and no longer once saved', async () => {
      const mounted = await mountForm();
      const { fake, el, form } = mounted;
      expect(wouldAsk(), 'nothing changed').to.equal(false);
      type(field(el, 'phone'), '+44 20 5555 6666');
      await el.updateComplete;
      expect(wouldAsk(), 'a change not saved').to.equal(true);
      // Going to the background does not send what the user has not chosen to send.
      window.dispatchEvent(new Event('pagehide'));
      await settle({ fake, el });
      expect(updates(mounted)).to.have.length(0);
      form.requestSubmit();
      await settle({ fake, el });
      expect(updates(mounted)).to.have.length(1);
      expect(wouldAsk(), 'saved').to.equal(false);
    });

    it('asks no more once the user changed the field back, or the element left', async () => {
      const mounted = await mountForm();
      const { el, provider } = mounted;
      const phone = field(el, 'phone');
      const before = phone.value;
      type(phone, 'changed');
      await el.updateComplete;
      expect(wouldAsk()).to.equal(true);
      type(phone, before);
      await el.updateComplete;
      expect(wouldAsk(), 'changed back').to.equal(false);
      type(phone, 'changed again');
      await el.updateComplete;
      expect(wouldAsk()).to.equal(true);
      provider.remove();
      // Known once the task's moves are done (it might have been put back: see the move test).
      await Promise.resolve();
      expect(wouldAsk(), 'the element left').to.equal(false);
    });

    it('warn-before-unload="false" never asks', async () => {
      const mounted = await mountForm();
      const { el } = mounted;
      el.setAttribute('warn-before-unload', 'false');
      type(field(el, 'phone'), '+44 20 7777 8888');
      await el.updateComplete;
      expect(el.warnBeforeUnload).to.equal(false);
      expect(wouldAsk()).to.equal(false);
      el.setAttribute('warn-before-unload', '');
      await el.updateComplete;
      expect(wouldAsk(), 'on again').to.equal(true);
      el.removeAttribute('warn-before-unload');
      await el.updateComplete;
      expect(el.warnBeforeUnload).to.equal(true);
    });
  });
});
