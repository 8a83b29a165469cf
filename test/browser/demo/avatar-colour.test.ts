/**
 * The demo's customer table and people chips colour initials with a copy of the kit's rule (the
 * demo is a page with no build, and the kit's bundle exports no helpers), so one person has one
 * colour in the CRM's own markup and in `<crm-presence>`. This keeps the copy true to the kit.
 */
import { expect } from '@open-wc/testing';
import { avatarColor as kitColor } from '../../../src/elements/shared/avatar.js';
// @ts-expect-error The demo is plain JavaScript, checked by ESLint, with no declarations.
import { avatarColor as demoColor } from '../../../demo/app.js';

describe('the demo’s avatar colours', () => {
  it('are the kit’s for every user id', () => {
    const ids = ['ana', 'ben', 'carla', 'dmitri', '', 'ü-ñ', 'x'.repeat(200)];
    for (let i = 0; i < 500; i++) ids.push(`user-${i}`, String(i * 7919));
    for (const id of ids)
      expect((demoColor as (id: string) => string)(id), id).to.equal(kitColor(id));
  });
});
