/**
 * <crm-collaborative-form> on a CRM record page at the size real ones reach: hundreds of fields,
 * some in closed `<details>` sections and hidden tab panels, a long notes field, colleagues
 * editing in the room. What the user sees stays true there (tabs only on fields they can see,
 * saves of one field among hundreds), and the work done per keystroke or per remote change
 * does not grow with the number of fields (counted, never timed).
 */
import { expect } from '@open-wc/testing';
import { LIMITS } from '../../../../src/protocol/index.js';
import { submitPrevented, statusText } from './fixture.js';
import { closeFakeConnections } from '../../helpers/fake-connection.js';
import {
  ROOM,
  bigRecord,
  mountBigForm,
  nextFrame,
  openFields,
  readsAfterWrites,
  settleBig,
} from './big-form.fixtures.js';

const BEN = { id: 'ben', name: 'Ben Carter' };

afterEach(() => closeFakeConnections());

const tabsOf = (el: Element, name: string) =>
  el.shadowRoot!.querySelector<HTMLElement>(`.tabs[data-field="${name}"]`);

describe('<crm-collaborative-form> with hundreds of fields', () => {
  describe('fields the user cannot see', () => {
    it('shows no tab on a field inside a closed <details>, and shows it once opened', async () => {
      const mounted = await mountBigForm(300);
      const { fake, el } = mounted;
      // f160 lies in the closed "More" section (fields 150–224).
      fake.server.addPerson(ROOM, BEN, { activity: { kind: 'editing', field: 'f160' } });
      await settleBig(mounted);
      expect(tabsOf(el, 'f160'), 'a tab group for f160').to.exist;
      expect(tabsOf(el, 'f160')!.hidden, 'hidden while its section is closed').to.equal(true);

      el.querySelector('details')!.open = true;
      await nextFrame(); // the section's size change reaches the element's ResizeObserver
      await nextFrame();
      expect(tabsOf(el, 'f160')!.hidden, 'shown once the section is open').to.equal(false);
      const tab = tabsOf(el, 'f160')!.getBoundingClientRect();
      const input = el.querySelector('[name="f160"]')!.getBoundingClientRect();
      expect(Math.abs(tab.right - input.right)).to.be.below(1.5, 'on its field');
    });

    it('shows no tab on a field in a hidden tab panel', async () => {
      const mounted = await mountBigForm(300);
      const { fake, el } = mounted;
      fake.server.addPerson(ROOM, BEN, { activity: { kind: 'editing', field: 'f250' } });
      await settleBig(mounted);
      expect(tabsOf(el, 'f250')!.hidden).to.equal(true);
    });
  });

  describe('work per change', () => {
    /** Layouts forced while a colleague moves to another field, with `editors` on the form. */
    async function layoutsWhenOneMoves(editors: number): Promise<number> {
      const mounted = await mountBigForm(300);
      const { fake, el } = mounted;
      const open = openFields(300);
      for (let i = 0; i < editors; i++) {
        const person = { id: `p${i}`, name: `Person ${i}` };
        fake.server.addPerson(ROOM, person, {
          activity: { kind: 'editing', field: `f${open[i * 7]}` },
        });
      }
      await settleBig(mounted);
      await nextFrame();
      const count = await readsAfterWrites(async () => {
        fake.server.setPersonActivity(ROOM, 'p0', { kind: 'editing', field: `f${open[101]}` });
        await settleBig(mounted);
        await nextFrame(); // and the ResizeObserver's callback for the newly followed field
      });
      expect(el.shadowRoot!.querySelectorAll('.tabs:not([hidden])')).to.have.length(editors);
      mounted.provider.remove();
      return count;
    }

    it('places the tabs once when an editor moves to another field', async () => {
      const mounted = await mountBigForm(300);
      const { fake, el } = mounted;
      const open = openFields(300);
      fake.server.addPerson(ROOM, BEN, { activity: { kind: 'editing', field: `f${open[0]}` } });
      await settleBig(mounted);
      await nextFrame();
      const overlay = el.shadowRoot!.querySelector('.overlay')!;
      const box = Element.prototype.getBoundingClientRect;
      let passes = 0;
      // Each placement of the tabs starts from the overlay's box.
      Element.prototype.getBoundingClientRect = function (this: Element) {
        if (this === overlay) passes++;
        return box.call(this);
      };
      try {
        fake.server.setPersonActivity(ROOM, BEN.id, { kind: 'editing', field: `f${open[20]}` });
        await settleBig(mounted);
        await nextFrame(); // the ResizeObserver's first word on the newly followed field
        await nextFrame();
      } finally {
        Element.prototype.getBoundingClientRect = box;
      }
      expect(tabsOf(el, `f${open[20]}`)!.hidden).to.equal(false);
      expect(passes).to.equal(1);
    });

    it('lays the page out a fixed number of times when an editor moves, however many tabs', async () => {
      const few = await layoutsWhenOneMoves(2);
      const many = await layoutsWhenOneMoves(8);
      expect(many, `forced layouts with 8 editors (2 editors: ${few})`).to.equal(few);
    });
  });

  describe('a record larger than a frame', () => {
    it('says the record is too large to open, not that it is loading, and stays a plain form', async () => {
      const record = bigRecord(300, LIMITS.maxFrameBytes); // notes alone fill a frame
      const errors: string[] = [];
      const mounted = await mountBigForm(300, {
        record,
        listen: (el) =>
          el.addEventListener('crm-form-error', (e) => errors.push(e.error.code ?? '')),
      });
      const { el, form } = mounted;
      expect(el.status).to.equal('load-error');
      expect(statusText(el)).to.equal('This record is too large to open here');
      expect(errors).to.deep.equal(['payload_too_large']);
      expect(submitPrevented(form), 'the page submits the form itself').to.equal(false);
    });
  });
});
