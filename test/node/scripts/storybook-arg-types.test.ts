/**
 * Storybook's docs tables list a name once: a story's control shown under an attribute's or a CSS
 * property's name (`roomId` as `room-id`) replaces the manifest's row of that name, and takes its
 * description and default where the story gives none.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { StrictArgTypes } from 'storybook/internal/types';
import { oneRowPerName } from '../../../.storybook/arg-types.js';

const manifestAndStory = (): StrictArgTypes => ({
  // The framework's rows from the manifest, merged with the story's control of the property.
  roomId: {
    name: 'room-id',
    type: { name: 'string' },
    description: 'The room to show.',
    table: { category: 'properties', defaultValue: { summary: "''" } },
    control: 'text',
  },
  'room-id': {
    name: 'room-id',
    type: { name: 'string' },
    description: 'The room to show, e.g. customer:42.',
    table: { category: 'attributes', defaultValue: { summary: "''" } },
  },
  // A story-only control named after a CSS property, and the manifest's row of that property.
  size: { name: '--crm-presence-size', type: { name: 'string' }, control: 'select' },
  '--crm-presence-size': {
    name: '--crm-presence-size',
    type: { name: 'string' },
    description: 'Avatar diameter.',
    table: { category: 'css custom properties', defaultValue: { summary: '2rem' } },
  },
  watch: { name: 'watch', type: { name: 'boolean' }, table: { category: 'attributes' } },
  base: {
    name: 'base',
    type: { name: 'other', value: 'void' },
    table: { category: 'css shadow parts' },
  },
});

test("the manifest's row of a name a story control already shows is hidden", () => {
  const rows = oneRowPerName(manifestAndStory());
  assert.equal(rows['room-id']!.table?.disable, true);
  assert.equal(rows['--crm-presence-size']!.table?.disable, true);
  assert.notEqual(rows['roomId']!.table?.disable, true);
  assert.notEqual(rows['watch']!.table?.disable, true);
  const shown = Object.values(rows).filter((row) => !row.table?.disable);
  assert.deepEqual(
    shown.map((row) => row.name),
    ['room-id', '--crm-presence-size', 'watch', 'base'],
  );
});

test("the story's row keeps its own description, or takes the manifest's, and its default", () => {
  const rows = oneRowPerName(manifestAndStory());
  assert.equal(rows['roomId']!.description, 'The room to show.');
  assert.equal(rows['size']!.description, 'Avatar diameter.');
  assert.deepEqual(rows['size']!.table?.defaultValue, { summary: '2rem' });
  assert.equal(rows['size']!.table?.category, 'css custom properties');
  assert.equal(rows['size']!.control, 'select');
});

test('a CSS property or part without a story control has no control, not an object editor', () => {
  const rows = oneRowPerName(manifestAndStory());
  assert.equal(rows['base']!.control, false);
  assert.equal(rows['watch']!.control, undefined);
});
