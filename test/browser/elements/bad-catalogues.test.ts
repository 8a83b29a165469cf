/**
 * A catalogue is the page's code, and it can be wrong: a message that throws, one that returns
 * nothing for a case it forgot (a map without `away`), a string where a function belongs, a
 * misspelt key, or something that is no catalogue at all. Each costs one text, never the widget:
 * the element renders, names and announces the English default in its place, and the console says
 * which entry is wrong, once.
 */
import { expect, fixture, html } from '@open-wc/testing';
import '../../../src/elements/connection-status/define.js';
import '../../../src/elements/presence/define.js';
import '../../../src/elements/realtime-provider/define.js';
import type { UserProfile } from '../../../src/protocol/index.js';
import { fakeConnection, type FakeConnection, aroundEachTest } from '../helpers/fake-connection.js';

const ME: UserProfile = { id: 'u-moi', name: 'Zoé Martin' };
const ANA: UserProfile = { id: 'u-ana', name: 'Ana Souza' };
const ROOM = 'customer:7';

const warnings = aroundEachTest();

/** Uncaught errors while `run` runs (a render that throws reports one, and renders nothing). */
async function uncaught(run: () => Promise<void>): Promise<string[]> {
  const errors: string[] = [];
  const onError = (event: ErrorEvent) => {
    errors.push(String(event.message));
    event.preventDefault();
  };
  const onRejection = (event: PromiseRejectionEvent) => {
    errors.push(String(event.reason));
    event.preventDefault();
  };
  window.addEventListener('error', onError);
  window.addEventListener('unhandledrejection', onRejection);
  try {
    await run();
    // A rejection is reported in a task after the promise settled.
    await new Promise((resolve) => setTimeout(resolve));
  } finally {
    window.removeEventListener('error', onError);
    window.removeEventListener('unhandledrejection', onRejection);
  }
  return errors;
}

async function mount(
  body: (fake: FakeConnection) => unknown,
  prepare: (fake: FakeConnection) => void = () => {},
): Promise<{ fake: FakeConnection; page: HTMLElement; settle: () => Promise<void> }> {
  const fake = await fakeConnection({ devUser: ME });
  prepare(fake);
  const page = await fixture<HTMLElement>(
    html`<div lang="fr">
      <crm-realtime-provider .client=${fake.client}>${body(fake)}</crm-realtime-provider>
    </div>`,
  );
  const settle = async () => {
    for (let i = 0; i < 4; i++) {
      await fake.clock.flush();
      await new Promise((resolve) => requestAnimationFrame(resolve));
    }
  };
  await settle();
  return { fake, page, settle };
}

const shown = (el: Element) => el.shadowRoot!.textContent!.replace(/\s+/g, ' ').trim();

describe('a bad catalogue costs one text, never the widget', () => {
  it('a message that throws: its English default, and a warning naming it', async () => {
    let page!: HTMLElement;
    const errors = await uncaught(async () => {
      ({ page } = await mount(
        () =>
          html`<crm-connection-status
            .messages=${{
              connected: () => {
                throw new Error('clé manquante');
              },
              spoken: (label: string) => `Temps réel : ${label}`,
            }}
          ></crm-connection-status>`,
      ));
    });
    const status = page.querySelector('crm-connection-status')!;
    expect(errors).to.deep.equal([]);
    // The connection opened: the element shows it, in the page's words where they work.
    expect(shown(status)).to.contain('Temps réel : Connected');
    expect(warnings.messages.join('\n')).to.match(
      /crm-realtime: <crm-connection-status> messages\.connected threw; showing the English text\..*clé manquante/,
    );
  });

  it('a message that returns nothing for a case it forgot: the English word, and a warning', async () => {
    const { page } = await mount(
      () =>
        html`<crm-presence
          room-id=${ROOM}
          .messages=${{
            // `away` is missing from the map.
            status: (s: string) => ({ online: 'En ligne' })[s as 'online'],
          }}
        ></crm-presence>`,
      (f) => f.server.addPerson(ROOM, ANA, { status: 'away' }),
    );
    const presence = page.querySelector('crm-presence')!;
    const labels = [...presence.shadowRoot!.querySelectorAll('[aria-label]')].map((el) =>
      el.getAttribute('aria-label'),
    );
    expect(labels).to.include('Ana Souza: Away, Viewing');
    expect(labels.join(' ')).not.to.contain('undefined');
    expect(warnings.messages.join('\n')).to.contain(
      '<crm-presence> messages.status returned undefined, not a string; showing the English text.',
    );
  });

  it('an entry that is not a function, and a misspelt key: each warned about', async () => {
    const { page } = await mount(
      () =>
        html`<crm-connection-status
          .messages=${{ connected: 'Connecté', conected: () => 'Connecté', spoken: () => 'Temps réel' }}
        ></crm-connection-status>`,
    );
    expect(shown(page.querySelector('crm-connection-status')!)).to.equal('Connected Temps réel');
    const said = warnings.messages.join('\n');
    expect(said).to.contain(
      '<crm-connection-status> messages.connected is a string, not a function; showing the English text.',
    );
    expect(said).to.contain('<crm-connection-status> has no message "conected" (a typo?)');
  });

  it('messages that are no catalogue: English, and a warning', async () => {
    const { page } = await mount(
      () => html`<crm-presence room-id=${ROOM} .messages=${'Français'}></crm-presence>`,
    );
    expect(shown(page.querySelector('crm-presence')!)).to.contain('Only you here');
    expect(warnings.messages.join('\n')).to.contain(
      '<crm-presence> messages is not an object of message functions',
    );
  });

  it('a catalogue written as a class: its methods are used, on its instance', async () => {
    class Statut {
      private readonly prefix = 'Temps réel';
      connected(): string {
        return 'Connecté';
      }
      spoken(label: string): string {
        return `${this.prefix} : ${label}`;
      }
    }
    const { page } = await mount(
      () => html`<crm-connection-status .messages=${new Statut()}></crm-connection-status>`,
    );
    expect(shown(page.querySelector('crm-connection-status')!)).to.contain(
      'Connecté Temps réel : Connecté',
    );
    expect(warnings.messages.join('\n')).not.to.contain('crm-connection-status');
  });

  it('warns once, however often the element renders', async () => {
    const { fake, page, settle } = await mount(
      () =>
        html`<crm-presence room-id=${ROOM} .messages=${{ groupLabel: () => null }}></crm-presence>`,
    );
    for (const person of [ANA, { id: 'u-ben', name: 'Ben Lee' }]) {
      fake.server.addPerson(ROOM, person);
      await fake.clock.advance(2000);
      await settle();
    }
    const group = page.querySelector('crm-presence')!.shadowRoot!.querySelector('[role="list"]');
    expect(group?.getAttribute('aria-label')).to.match(/^\d people here$/);
    expect(warnings.messages.filter((w) => w.includes('messages.groupLabel'))).to.have.length(1);
  });
});
