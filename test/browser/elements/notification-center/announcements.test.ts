/**
 * What a screen reader hears from `<crm-notification-center>` when notifications arrive: one
 * message per burst (the first in full, then how many more), politely, urgent ones apart and
 * assertively; the toasts themselves are not live regions; the words can be translated.
 */
import { expect } from '@open-wc/testing';
import { closeFakeConnections } from '../../helpers/fake-connection.js';
import { ME, mountCenter, recordSpoken, toastsOf, type Mounted } from './fixture.js';

afterEach(() => closeFakeConnections());

/** The announcer's window: what arrives within it is said together when it closes. */
const WINDOW = 1000;

async function windowCloses(m: Mounted): Promise<void> {
  await m.clock.advance(WINDOW);
  await m.settle();
}

describe('crm-notification-center announcements', () => {
  it('ten arriving at once are one polite message: the first in full, and how many more', async () => {
    const m = await mountCenter();
    const spoken = recordSpoken(m.root);
    for (let i = 1; i <= 10; i++) {
      await m.notify({ title: `Renewal at risk #${i}`, message: `Message ${i}`, type: 'warning' });
    }
    expect(toastsOf(m.root)).to.have.length(5);
    // Nothing is said while the burst goes on.
    expect(spoken.heard).to.deep.equal([]);
    await windowCloses(m);
    expect(spoken.heard).to.deep.equal([
      {
        live: 'polite',
        text: 'Warning: Renewal at risk #1. Message 1. And 9 more new notifications',
      },
    ]);
    spoken.stop();
  });

  it('the toasts are not live regions: a toast is drawn, not read again', async () => {
    const m = await mountCenter();
    await m.notify({ title: 'FYI' });
    await m.notify({ title: 'Now!', priority: 'urgent' });
    const live = '[aria-live], [role="status"], [role="alert"], [role="log"]';
    const inLiveRegions = [...m.root.querySelectorAll('.toast')].filter((t) => t.closest(live));
    expect(inLiveRegions.map((t) => t.querySelector('.title')!.textContent)).to.deep.equal([]);
  });

  it('one alone is read in full: type, priority when marked, title, sender, message', async () => {
    const m = await mountCenter();
    const spoken = recordSpoken(m.root);
    m.server.notify(
      { target: { user: ME }, title: 'Deal won', message: 'Babbage & Co.', priority: 'high' },
      { id: 'u-ana', name: 'Ana Ortiz' },
    );
    await m.settle();
    await windowCloses(m);
    expect(spoken.heard.map((h) => h.text)).to.deep.equal([
      'Information, High: Deal won, from Ana Ortiz. Babbage & Co.',
    ]);
    spoken.stop();
  });

  it('says what people wrote without the directional controls that isolate it where drawn', async () => {
    const m = await mountCenter();
    const spoken = recordSpoken(m.root);
    m.server.notify(
      { target: { user: ME }, title: 'Deal \u2069\u202ewon', message: '\u2067שלום\u2069' },
      { id: 'u-ana', name: '\u202bAna Ortiz' },
    );
    await m.settle();
    await windowCloses(m);
    const [said] = spoken.heard.map((h) => h.text);
    expect(said).to.equal('Information: Deal won, from Ana Ortiz. שלום');
    expect(said).not.to.match(/[\u202a-\u202e\u2066-\u2069]/u);
    spoken.stop();
  });

  it('urgent ones are batched apart and said assertively', async () => {
    const m = await mountCenter();
    const spoken = recordSpoken(m.root);
    await m.notify({ title: 'FYI 1' });
    await m.notify({ title: 'Billing down', type: 'error', priority: 'urgent' });
    await m.notify({ title: 'FYI 2' });
    await m.notify({ title: 'Mail down', type: 'error', priority: 'urgent' });
    await windowCloses(m);
    expect(spoken.heard).to.have.deep.members([
      { live: 'polite', text: 'Information: FYI 1. And 1 more new notification' },
      {
        live: 'assertive',
        text: 'Error, Urgent: Billing down. And 1 more new notification',
      },
    ]);
    expect(spoken.heard).to.have.length(2);
    spoken.stop();
  });

  it('what arrives after the window is a new message, even when its words are the same', async () => {
    const m = await mountCenter();
    const spoken = recordSpoken(m.root);
    await m.notify({ title: 'Ping' });
    await windowCloses(m);
    await m.notify({ title: 'Ping' });
    await windowCloses(m);
    expect(spoken.heard.map((h) => h.text)).to.deep.equal([
      'Information: Ping',
      'Information: Ping',
    ]);
    spoken.stop();
  });

  it('empties the region once the message was said; the same words later are said again', async () => {
    const m = await mountCenter();
    const spoken = recordSpoken(m.root);
    const polite = () => m.root.querySelector('[aria-live="polite"]')!.textContent!.trim();
    await m.notify({ title: 'Ping' });
    await windowCloses(m);
    expect(polite()).to.equal('Information: Ping');
    // Long enough to be read; then a reader browsing the page finds no stale message.
    await m.clock.advance(5000);
    await m.settle();
    expect(polite()).to.equal('');
    await m.notify({ title: 'Ping' });
    await windowCloses(m);
    expect(polite()).to.equal('Information: Ping');
    expect(spoken.heard.map((h) => h.text)).to.deep.equal([
      'Information: Ping',
      'Information: Ping',
    ]);
    spoken.stop();
  });

  it('speaks the messages given in `messages`', async () => {
    const m = await mountCenter({
      props: {
        messages: {
          type: () => 'Hinweis',
          announcement: ({ type, title }) => `${type}: ${title}`,
          announcementMore: (first, more, c) => `${first} und ${c.number(more)} weitere`,
        },
      },
    });
    const spoken = recordSpoken(m.root);
    for (const title of ['A', 'B', 'C']) await m.notify({ title });
    await windowCloses(m);
    expect(spoken.heard.map((h) => h.text)).to.deep.equal(['Hinweis: A und 2 weitere']);
    spoken.stop();
  });

  it('says nothing with no-toasts (a second center on the page would repeat it)', async () => {
    const m = await mountCenter({ attrs: { 'no-toasts': '' } });
    const spoken = recordSpoken(m.root);
    await m.notify({ title: 'Quiet' });
    await windowCloses(m);
    expect(spoken.heard).to.deep.equal([]);
    expect(m.root.querySelectorAll('[aria-live]')).to.have.length(0);
    spoken.stop();
  });

  it('a burst pending when the element is removed is never said', async () => {
    const m = await mountCenter();
    await m.notify({ title: 'Late' });
    const root = m.root;
    m.el.remove();
    await windowCloses(m);
    await m.el.updateComplete;
    expect(root.querySelector('[aria-live="polite"]')!.textContent!.trim()).to.equal('');
  });
});
