/**
 * <crm-collaborative-form> on a CRM record page at the size real ones reach: hundreds of fields,
 * some in closed `<details>` sections and hidden tab panels, a long notes field, colleagues
 * editing in the room. What the user sees stays true there (tabs only on fields they can see,
 * saves of one field among hundreds), and the work done per keystroke or per remote change
 * does not grow with the number of fields (counted, never timed).
 */
import { expect, oneEvent } from '@open-wc/testing';
import type { CrmFormConflictEvent } from '../../../../src/events/collaborative-form-events.js';
import { LIMITS } from '../../../../src/protocol/index.js';
import { submitPrevented, statusText, type } from './fixture.js';
import { closeFakeConnections } from '../../helpers/fake-connection.js';
import {
  ROOM,
  bigRecord,
  countReads,
  mountBigForm,
  nextFrame,
  openFields,
  readsAfterWrites,
  settleBig,
  total,
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

    it('shows the tab once a <details> opens that changes no size around it', async () => {
      const mounted = await mountBigForm(300);
      const { fake, el } = mounted;
      el.style.blockSize = '30000px'; // the page gives the form a fixed height
      fake.server.addPerson(ROOM, BEN, { activity: { kind: 'editing', field: 'f160' } });
      await settleBig(mounted);
      await nextFrame();
      expect(tabsOf(el, 'f160')!.hidden).to.equal(true);
      el.querySelector('details')!.open = true;
      await oneEvent(el.querySelector('details')!, 'toggle');
      await nextFrame();
      expect(tabsOf(el, 'f160')!.hidden, 'shown once the section is open').to.equal(false);
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

    /**
     * Layout reads for each of six keystrokes in one field, with `count` fields and eight
     * colleagues' tabs on the form. (Each render places the tabs, which reads layout: no reads,
     * no render.)
     */
    async function readsWhileTyping(count: number): Promise<number[]> {
      const mounted = await mountBigForm(count);
      const { fake, el } = mounted;
      const open = openFields(count);
      for (let i = 0; i < 8; i++) {
        const person = { id: `p${i}`, name: `Person ${i}` };
        fake.server.addPerson(ROOM, person, {
          activity: { kind: 'editing', field: `f${open[i * 5 + 2]}` },
        });
      }
      const input = el.querySelector<HTMLInputElement>('[name="f1"]')!;
      input.focus();
      await settleBig(mounted);
      await nextFrame();
      const reads: number[] = [];
      for (let key = 0; key < 6; key++) {
        const counted = await countReads(async () => {
          input.value += 'x';
          input.dispatchEvent(new InputEvent('input', { bubbles: true, composed: true }));
          await el.updateComplete;
          await nextFrame();
        });
        reads.push(total(counted));
      }
      expect(el.shadowRoot!.querySelectorAll('.tabs:not([hidden])')).to.have.length(8);
      mounted.provider.remove();
      return reads;
    }

    it('reads no layout while typing, and as much on 400 fields as on 100 when the field turns unsaved', async () => {
      const small = await readsWhileTyping(100);
      const large = await readsWhileTyping(400);
      expect(large.slice(1), 'keystrokes after the first').to.deep.equal([0, 0, 0, 0, 0]);
      expect(large[0], 'the first, which marks the form unsaved').to.equal(small[0]);
    });

    /** Reads of the page's controls' values while one remote change to one field arrives. */
    async function valueReadsForOneRemoteChange(count: number): Promise<number> {
      const mounted = await mountBigForm(count);
      const { fake, el } = mounted;
      const protos = [HTMLInputElement, HTMLTextAreaElement, HTMLSelectElement].map(
        (type) => type.prototype,
      );
      const descriptors = protos.map((proto) => Object.getOwnPropertyDescriptor(proto, 'value')!);
      let reads = 0;
      protos.forEach((proto, i) =>
        Object.defineProperty(proto, 'value', {
          ...descriptors[i],
          get(this: HTMLElement) {
            reads++;
            return descriptors[i]!.get!.call(this);
          },
        }),
      );
      try {
        fake.server.entities.remoteUpdate('account', '7', { f2: 'remote' }, BEN);
        await settleBig(mounted);
      } finally {
        protos.forEach((proto, i) => Object.defineProperty(proto, 'value', descriptors[i]!));
      }
      expect(el.querySelector<HTMLInputElement>('[name="f2"]')!.value).to.equal('remote');
      mounted.provider.remove();
      return reads;
    }

    it('reads as many field values for a remote change on 400 fields as on 100', async () => {
      const small = await valueReadsForOneRemoteChange(100);
      const large = await valueReadsForOneRemoteChange(400);
      expect(large, `value reads on 400 fields (100 fields: ${small})`).to.equal(small);
    });

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

  describe('saves', () => {
    it('sends only the one field changed among 300, also from a hidden tab panel', async () => {
      const mounted = await mountBigForm(300);
      const { fake, el, form } = mounted;
      type(el.querySelector<HTMLInputElement>('[name="f250"]')!, 'changed');
      const saved = oneEvent(el, 'crm-form-saved');
      form.requestSubmit();
      await saved;
      const sent = fake.server.received('entity.update') as { fields: object }[];
      expect(sent.map((frame) => frame.fields)).to.deep.equal([{ f250: 'changed' }]);
    });

    it('asks about the one conflicting field among 300 and takes the others’ changes', async () => {
      const mounted = await mountBigForm(300);
      const { fake, el, form } = mounted;
      type(el.querySelector<HTMLInputElement>('[name="f10"]')!, 'mine');
      const conflict = new Promise<CrmFormConflictEvent>((resolve) =>
        el.addEventListener('crm-form-conflict', resolve, { once: true }),
      );
      fake.server.entities.remoteUpdate('account', '7', { f10: 'theirs', f12: 'also' }, BEN);
      await settleBig(mounted);
      form.requestSubmit();
      const event = await conflict;
      expect(event.conflict.conflicts.map((c) => c.field)).to.deep.equal(['f10']);
      await settleBig(mounted);
      expect(el.querySelector<HTMLInputElement>('[name="f12"]')!.value).to.equal('also');
      expect(el.querySelector<HTMLInputElement>('[name="f10"]')!.value).to.equal('mine');
      const marked = [...el.querySelectorAll('[data-crm-conflict]')].map((n) =>
        n.getAttribute('name'),
      );
      expect(marked).to.deep.equal(['f10']);
    });
  });

  describe('values a page script set', () => {
    it('keeps one when someone changes another field, and counts it as changed', async () => {
      const mounted = await mountBigForm(100);
      const { fake, el } = mounted;
      const scripted = el.querySelector<HTMLInputElement>('[name="f5"]')!;
      scripted.value = 'set by the page'; // no input event: a script did it
      fake.server.entities.remoteUpdate('account', '7', { f2: 'remote' }, BEN);
      await settleBig(mounted);
      expect(el.querySelector<HTMLInputElement>('[name="f2"]')!.value).to.equal('remote');
      expect(scripted.value).to.equal('set by the page');
      expect(el.dirtyFields).to.deep.equal(['f5']);
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
