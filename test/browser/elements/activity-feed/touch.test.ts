/**
 * `<crm-activity-feed>` on a touch screen (no hover, so no tooltip): a tap on an item shows the
 * date and time that its relative time has as a tooltip, and the field names and values cut short
 * whole (their tooltips' text); the person filter's text is large enough
 * that Safari does not zoom the page in when it is tapped. In a file of its own: the touch device
 * it emulates would change the other files' pages.
 */
import { expect, waitUntil } from '@open-wc/testing';
import { executeServerCommand } from '@web/test-runner-commands';
import { closeFakeConnections } from '../../helpers/fake-connection.js';
import { change, mountFeed } from './fixture.js';

afterEach(async () => {
  closeFakeConnections();
  await executeServerCommand('touch-device', { active: false });
});

describe('crm-activity-feed on a touch screen', () => {
  it("a tap on an item shows its time's date and time, which a pointer gets as a tooltip", async () => {
    await executeServerCommand('touch-device', { active: true });
    expect(matchMedia('(hover: none)').matches, 'a touch device').to.equal(true);
    const { el, root, settle } = await mountFeed({ history: [change(), change()] });
    await settle();
    const item = root.querySelector<HTMLElement>('article')!;
    const time = item.querySelector<HTMLElement>('time')!;
    const absolute = time.title;
    expect(absolute).not.to.equal('');
    const shown = () => getComputedStyle(time, '::after').content;
    expect(shown(), 'nothing extra before the tap').to.equal('none');
    const box = item.querySelector('.detail')!.getBoundingClientRect();
    await executeServerCommand('tap', { x: box.left + 4, y: box.top + box.height / 2 });
    await waitUntil(() => root.activeElement === item, 'the tap focuses the item');
    expect(shown()).to.equal(JSON.stringify(absolute));
    expect(el.scrollWidth, 'no sideways scrolling').to.be.at.most(el.clientWidth);
  });

  it('a tap on an item shows its values whole, which a pointer gets as tooltips', async () => {
    await executeServerCommand('touch-device', { active: true });
    const long =
      'Renewal negotiated with the purchasing team, pending legal review of the data terms and the annex';
    const { root, settle } = await mountFeed({
      history: [change(undefined, 'nextStepAfterTheQuarterlyReview', 'Call back', long)],
      style: 'inline-size: 18rem',
    });
    await settle();
    const item = root.querySelector<HTMLElement>('article')!;
    const field = item.querySelector<HTMLElement>('.field')!;
    const to = item.querySelector<HTMLElement>('.value.to')!;
    expect(to.title, 'the full value is its tooltip').to.equal(long);
    expect(to.textContent!.length, 'the feed shortened it').to.be.below(long.length);
    const cut = (el: HTMLElement) => el.scrollWidth > el.clientWidth;
    expect(cut(field), 'the field name is cut short').to.equal(true);
    const box = item.querySelector('.detail')!.getBoundingClientRect();
    await executeServerCommand('tap', { x: box.left + 4, y: box.top + box.height / 2 });
    await waitUntil(() => root.activeElement === item, 'the tap focuses the item');
    expect(cut(field), 'the field name whole').to.equal(false);
    expect(cut(to), 'the value whole').to.equal(false);
    expect(getComputedStyle(to, '::after').content).to.equal(JSON.stringify(long));
    expect(to.querySelector('.cut')!.checkVisibility(), 'instead of its shortened text').to.equal(
      false,
    );
  });

  it('the person filter is in 16 px text, so Safari does not zoom the page in when it is tapped', async () => {
    const { root, settle } = await mountFeed({ history: [change()] });
    await settle();
    const select = root.querySelector<HTMLSelectElement>('[part~="person-select"]')!;
    const desktop = parseFloat(getComputedStyle(select).fontSize);
    await executeServerCommand('touch-device', { active: true });
    expect(matchMedia('(pointer: coarse)').matches, 'a touch device').to.equal(true);
    expect(parseFloat(getComputedStyle(select).fontSize)).to.be.at.least(16);
    expect(desktop, 'smaller with a mouse').to.be.below(16);
  });
});
