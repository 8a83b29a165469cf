/**
 * What an avatar shows without a picture, on every element that shows a person: a colour per
 * user id that keeps white initials readable, the initials themselves, and the picture URL check.
 */
import { expect } from '@open-wc/testing';
import {
  AVATAR_PALETTE,
  avatarColor,
  contrastRatio,
  initials,
  safeAvatarUrl,
} from '../../../../src/elements/shared/avatar.js';

describe('avatar colours', () => {
  it('give white initials at least 4.5:1 contrast (WCAG AA) on every colour', () => {
    for (const color of AVATAR_PALETTE) {
      expect(contrastRatio(color, '#ffffff'), color).to.be.at.least(4.5);
    }
  });

  it('are the same for the same user id and spread over the palette', () => {
    expect(avatarColor('u-ana')).to.equal(avatarColor('u-ana'));
    const used = new Set(Array.from({ length: 200 }, (_, i) => avatarColor(`user-${i}`)));
    expect(used.size).to.equal(AVATAR_PALETTE.length);
  });

  it('computes contrast like WCAG does', () => {
    expect(contrastRatio('#000000', '#ffffff')).to.be.closeTo(21, 0.01);
    expect(contrastRatio('#777777', '#ffffff')).to.be.closeTo(4.48, 0.01);
  });
});

describe('initials', () => {
  const cases: [string, string][] = [
    ['Ana Ortiz', 'AO'],
    ['Ana María Ortiz', 'AO'],
    ['madonna', 'M'],
    ['(Ana) Ortiz', 'AO'],
    ['ana.ortiz@example.com', 'AO'],
    ['Élodie Ñúñez', 'ÉÑ'],
    ['山田太郎', '山'],
    ['Jean-Luc Picard', 'JP'],
    ['   ', '?'],
    ['---', '?'],
  ];
  for (const [name, expected] of cases) {
    it(`"${name}" → "${expected}"`, () => expect(initials(name)).to.equal(expected));
  }

  it('keeps a letter with a combining accent whole', () => {
    expect(initials('e\u0301mile zola')).to.equal('E\u0301Z');
  });
});

describe('safeAvatarUrl', () => {
  it('accepts https, http and data:image URLs', () => {
    expect(safeAvatarUrl('https://cdn.example.com/a.png')).to.equal(
      'https://cdn.example.com/a.png',
    );
    expect(safeAvatarUrl('HTTP://example.com/a.png')).to.equal('http://example.com/a.png');
    expect(safeAvatarUrl('data:image/png;base64,AAAA')).to.equal('data:image/png;base64,AAAA');
  });

  it('refuses everything else', () => {
    for (const url of [
      'javascript:alert(1)',
      'JaVaScRiPt:alert(1)',
      ' javascript:alert(1)',
      'data:text/html,<script>alert(1)</script>',
      'data:image',
      'vbscript:x',
      '//evil.example.com/a.png',
      '/relative.png',
      'https://',
      '',
      'x'.repeat(3000),
      42,
      undefined,
    ]) {
      expect(safeAvatarUrl(url), String(url).slice(0, 40)).to.equal(undefined);
    }
  });
});
