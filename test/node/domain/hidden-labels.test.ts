/**
 * A label is a field's value: a user from whom a label field is hidden gets references without a
 * label (`entityRefFor`), and a watcher notification's title can be read back into its parts and
 * written again from them (`watcherTitle`, `watcherTitleParts`), so redaction rewrites the title
 * instead of editing its text.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { EntityRef } from '../../../src/protocol/index.js';
import {
  watcherNotification,
  watcherTitle,
  watcherTitleParts,
} from '../../../src/domain/entity-activity.js';
import { entityRefFor, labelFieldsOf } from '../../../src/domain/entity-label.js';

const ACME: EntityRef = { type: 'customer', id: '42', label: 'Acme' };
const ana = { id: 'ana', name: 'Ana Souza' };

describe('entityRefFor', () => {
  test('a label field hidden from the user: the reference comes without its label', () => {
    assert.deepEqual(entityRefFor(ACME, new Set(['company'])), { type: 'customer', id: '42' });
    // The contact names a customer without a company: hiding it hides the label too.
    assert.deepEqual(entityRefFor(ACME, new Set(['name'])), { type: 'customer', id: '42' });
    const contact: EntityRef = { type: 'contact', id: '7', label: 'ada@example.com' };
    assert.deepEqual(entityRefFor(contact, new Set(['email'])), { type: 'contact', id: '7' });
  });

  test('no label field hidden: the very same reference', () => {
    assert.equal(entityRefFor(ACME, new Set(['notes', 'revenue'])), ACME);
    assert.equal(entityRefFor(ACME, undefined), ACME);
    const bare: EntityRef = { type: 'customer', id: '42' };
    assert.equal(entityRefFor(bare, new Set(['company'])), bare);
  });

  test('the label fields are the ones the label rule tries', () => {
    assert.deepEqual(labelFieldsOf('customer'), ['company', 'name']);
    assert.deepEqual(labelFieldsOf('call'), ['name', 'title', 'subject', 'label', 'email']);
  });
});

describe('watcher titles', () => {
  test('the rule writes its title from parts, and reads it back into the same parts', () => {
    const input = watcherNotification({
      entity: {
        type: 'customer',
        id: '42',
        version: 2,
        fields: { company: 'Acme', nextStep: 'Call', notes: 'x' },
        updatedAt: 1,
      },
      changed: ['nextStep', 'notes'],
      previous: {},
      source: 'client',
      by: ana,
    });
    assert.ok(input);
    assert.equal(input.title, 'Ana Souza updated Acme: Next step, Notes');
    assert.deepEqual(watcherTitleParts({ ...input, from: ana }), {
      actor: 'Ana Souza',
      entity: ACME,
      fields: ['Next step', 'Notes'],
      more: 0,
    });
  });

  test('"and N more", and the entity by type and id when it has no label', () => {
    const parts = {
      actor: 'Ana Souza',
      entity: { type: 'customer', id: '42' },
      fields: ['A', 'B'],
      more: 3,
    };
    const title = watcherTitle(parts);
    assert.equal(title, 'Ana Souza updated customer 42: A, B and 3 more');
    assert.deepEqual(watcherTitleParts({ title, from: ana, entity: parts.entity }), parts);
    assert.equal(watcherTitle({ ...parts, fields: [] }), 'Ana Souza updated customer 42');
  });

  test('a title the rule did not write is not read', () => {
    const about = { from: ana, entity: ACME };
    assert.equal(watcherTitleParts({ ...about, title: 'Acme renewed: 3 seats' }), undefined);
    assert.equal(watcherTitleParts({ ...about, title: 'Bob Chen updated Acme: Notes' }), undefined);
    assert.equal(watcherTitleParts({ title: 'Ana Souza updated Acme: Notes' }), undefined);
  });

  test('a title cut at the limit reads back without its list, even when the cut is in the name', () => {
    const long: EntityRef = { type: 'customer', id: '42', label: 'L'.repeat(180) };
    const listCut = watcherTitle({ actor: 'Ana Souza', entity: long, fields: ['Notes'], more: 0 });
    assert.equal(listCut.length, 200);
    assert.deepEqual(watcherTitleParts({ title: listCut, from: ana, entity: long }), {
      actor: 'Ana Souza',
      entity: long,
      fields: undefined,
      more: 0,
    });
    const longer: EntityRef = { ...long, label: 'L'.repeat(200) };
    const nameCut = watcherTitle({
      actor: 'Ana Souza',
      entity: longer,
      fields: ['Notes'],
      more: 0,
    });
    assert.ok(nameCut.endsWith('L…'));
    assert.ok(watcherTitleParts({ title: nameCut, from: ana, entity: longer }));
    // Cut, but not from this actor and entity.
    assert.equal(watcherTitleParts({ title: nameCut, from: ana, entity: long }), undefined);
  });
});
