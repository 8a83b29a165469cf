/**
 * The documented per-type colours (`--crm-notification-center-info-color`, `-success-`, `-warning-`,
 * `-error-`) restyle what shows a notification's type: the icon in its tinted disc, on toasts and
 * in the panel. Unset, the icon keeps the theme's darker `-text` colour on its `-subtle` tint.
 */
import { expect } from '@open-wc/testing';
import { closeFakeConnections } from '../../helpers/fake-connection.js';
import { mountCenter, toastsOf } from './fixture.js';

afterEach(() => closeFakeConnections());

const PURPLE = 'rgb(128, 0, 128)';

describe('crm-notification-center: type colours', () => {
  for (const type of ['info', 'success', 'warning', 'error'] as const) {
    it(`--crm-notification-center-${type}-color colours the ${type} icon and tints its disc`, async () => {
      const m = await mountCenter();
      m.el.style.setProperty(`--crm-notification-center-${type}-color`, PURPLE);
      await m.notify({ type, title: 'Quarterly review' });
      const icon = toastsOf(m.root)[0]!.querySelector<HTMLElement>('[part~="toast-icon"]')!;
      const style = getComputedStyle(icon);
      expect(style.color).to.equal(PURPLE);
      expect(style.backgroundColor).to.match(
        /^color\(srgb 0\.50\d* 0 0\.50\d* \/ 0\.1\d*\)$|^rgba\(128, 0, 128, 0\.1\d*\)$/,
      );
    });
  }

  it('unset, the icon keeps the theme colours', async () => {
    const m = await mountCenter();
    await m.notify({ type: 'error', title: 'Quarterly review' });
    const icon = toastsOf(m.root)[0]!.querySelector<HTMLElement>('[part~="toast-icon"]')!;
    const style = getComputedStyle(icon);
    expect(style.color).to.equal('rgb(185, 28, 28)'); // --crm-color-danger-text
    expect(style.backgroundColor).to.equal('rgb(253, 236, 236)'); // --crm-color-danger-subtle
  });
});
