/**
 * Bidirectional text in `<crm-notification-center>`: titles, names and entity labels somebody
 * else wrote are isolated, so one ending in RIGHT-TO-LEFT OVERRIDE cannot turn the words a
 * (translated) sentence puts after it around, and in a right-to-left page a left-to-right title
 * keeps its punctuation where it was typed. Checked on the laid-out text where it is drawn, and on
 * the string where it is only read (labels, tooltips, live regions).
 */
import { expect } from '@open-wc/testing';
import type { UserProfile } from '../../../../src/protocol/index.js';
import { closeFakeConnections } from '../../helpers/fake-connection.js';
import { drawnLeftToRight } from '../shared/reading-order.js';
import { ME, mountCenter, toastsOf, type Mounted } from './fixture.js';

afterEach(() => closeFakeConnections());

const RLO = '\u202e';
const FSI = '\u2068';
const PDI = '\u2069';

/** A notification to the current user from `from`, delivered live (a toast). */
async function notifyFrom(m: Mounted, from: UserProfile, title = 'Call Ada back') {
  m.server.notify({ target: { user: ME }, title }, from);
  await m.settle();
  return toastsOf(m.root)[0]!;
}

describe('crm-notification-center: bidirectional text', () => {
  it("a sender's name ending in an override leaves the rest of the toast's line as it is", async () => {
    const m = await mountCenter({
      attrs: { lang: 'de' },
      props: { messages: { from: (name) => `${name} hat geschrieben` } },
    });
    const toast = await notifyFrom(m, { id: 'u-ana', name: `Ana Ortiz${RLO}` });
    const from = toast.querySelector('.from')!;
    expect(drawnLeftToRight(from, 'hat geschrieben')).to.equal(true);
    expect(from.textContent).to.equal(`${FSI}Ana Ortiz${RLO}${PDI} hat geschrieben`);
  });

  it('a name cannot close the isolation early with a stray POP DIRECTIONAL ISOLATE', async () => {
    const m = await mountCenter({
      props: { messages: { from: (name) => `${name} wrote this` } },
    });
    const toast = await notifyFrom(m, { id: 'u-x', name: `${PDI}${RLO}Ana` });
    expect(drawnLeftToRight(toast.querySelector('.from')!, 'wrote this')).to.equal(true);
  });

  it('tooltips that quote a title isolate it; a label that is only spoken carries no controls', async () => {
    const m = await mountCenter({
      attrs: { 'mark-read': 'item' },
      props: {
        messages: {
          dismiss: (title) => `${title} schließen`,
          markRead: (title) => `${title} als gelesen markieren`,
        },
      },
    });
    const title = `Rechnung 42${RLO}`;
    const toast = await notifyFrom(m, { id: 'u-ana', name: 'Ana Ortiz' }, title);
    const dismiss = toast.querySelector('.dismiss')!;
    expect(dismiss.getAttribute('aria-label')).to.equal('Rechnung 42 schließen');
    await m.open();
    // Named by its tooltip.
    const mark = m.root.querySelector('.item .mark-read')!;
    expect(mark.getAttribute('title')).to.equal(`${FSI}${title}${PDI} als gelesen markieren`);
  });

  it('in a right-to-left page, a left-to-right title and entity keep their punctuation', async () => {
    const m = await mountCenter({
      attrs: { dir: 'rtl', lang: 'de', 'entity-link-template': '/c/{id}' },
    });
    m.server.notify({
      target: { user: ME },
      title: 'Invoice #42 overdue!',
      entity: { type: 'customer', id: '42', label: 'Acme Ltd.' },
    });
    await m.settle();
    const toast = toastsOf(m.root)[0]!;
    expect(drawnLeftToRight(toast.querySelector('.title')!, 'overdue!')).to.equal(true);
    expect(drawnLeftToRight(toast.querySelector('.entity')!, 'Ltd.')).to.equal(true);
  });
});
