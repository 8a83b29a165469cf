/**
 * Under `prefers-reduced-motion: reduce` nothing in the kit moves: every animation and transition
 * of every element, in every shadow tree, lasts at most 0.01 ms and plays once. Screenshots in the
 * e2e suites are taken under reduced motion, so this is also what makes them show settled colours.
 */
import { expect, fixture, html } from '@open-wc/testing';
import { emulateMedia } from '@web/test-runner-commands';
import '../../../src/define.js';
import { oneField } from '../../../stories/conflict-dialog.fixtures.js';
import { closeFakeConnections, fakeConnection } from '../helpers/fake-connection.js';
import { animationsSettled } from '../helpers/settled.js';

/** Every element in `root`'s shadow trees (not the light DOM, which belongs to the page). */
function shadowElements(root: Element): Element[] {
  const found: Element[] = [];
  const walk = (node: Element | ShadowRoot) => {
    for (const child of node.querySelectorAll('*')) {
      if (node instanceof ShadowRoot) found.push(child);
      if (child.shadowRoot) walk(child.shadowRoot);
    }
  };
  walk(root);
  return found;
}

/** Longest duration in a computed list such as "0.2s, 150ms", in milliseconds. */
function longest(list: string): number {
  return Math.max(
    ...list.split(',').map((d) => {
      const value = parseFloat(d);
      return d.trim().endsWith('ms') ? value : value * 1000;
    }),
  );
}

interface Motion {
  node: string;
  animation: number;
  iterations: string;
  transition: number;
}

function motionOf(el: Element): Motion[] {
  const motions: Motion[] = [];
  for (const node of shadowElements(el)) {
    for (const pseudo of [null, '::before', '::after']) {
      const style = getComputedStyle(node, pseudo);
      const animated = style.animationName !== 'none';
      motions.push({
        node: `${node.localName}${node.className ? '.' + String(node.className) : ''}${pseudo ?? ''}`,
        animation: animated ? longest(style.animationDuration) : 0,
        iterations: animated ? style.animationIterationCount : '1',
        transition: longest(style.transitionDuration),
      });
    }
  }
  return motions;
}

/** Every kit element in one page, connected, the conflict dialog open. */
async function mountAll() {
  const fake = await fakeConnection();
  const page = await fixture<HTMLElement>(html`
    <crm-realtime-provider .client=${fake.client}>
      <crm-connection-status></crm-connection-status>
      <crm-presence room-id="customer:42"></crm-presence>
      <crm-notification-center></crm-notification-center>
      <crm-activity-feed></crm-activity-feed>
      <form id="f"><input name="name" /></form>
      <crm-collaborative-form
        form-id="f"
        entity-type="customer"
        entity-id="42"
      ></crm-collaborative-form>
      <crm-conflict-dialog
        entity-label=${oneField.entityLabel}
        .localData=${oneField.localData}
        .remoteData=${oneField.remoteData}
        .baseData=${oneField.baseData}
        .conflictedFields=${oneField.conflictedFields}
        .fieldLabels=${oneField.fieldLabels}
        open
      ></crm-conflict-dialog>
    </crm-realtime-provider>
  `);
  await fake.clock.flush();
  await animationsSettled(page);
  return page;
}

describe('prefers-reduced-motion', () => {
  afterEach(async () => {
    closeFakeConnections();
    await emulateMedia({ reducedMotion: 'no-preference' });
  });

  it('without it, the kit does animate (so the check below can fail)', async () => {
    const page = await mountAll();
    const moving = motionOf(page).filter((m) => m.transition > 1 || m.animation > 1);
    expect(moving.length).to.be.greaterThan(0);
  });

  it('with it, every animation and transition in every element lasts at most 0.01 ms, once', async () => {
    await emulateMedia({ reducedMotion: 'reduce' });
    const page = await mountAll();
    const motions = motionOf(page);
    expect(motions.length).to.be.greaterThan(50);
    const moving = motions.filter(
      (m) => m.transition > 0.01 || m.animation > 0.01 || m.iterations !== '1',
    );
    expect(moving).to.deep.equal([]);
  });
});
