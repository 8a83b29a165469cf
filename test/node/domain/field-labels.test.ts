/**
 * Field labels are one map per entity type (`src/domain/field-labels.ts`): the demo's forms label
 * their fields with exactly those words, so the feed and the notifications name a changed field as
 * the form a person just edited does ("Contact", not "Name").
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { FIELD_LABELS, fieldLabel, humanizeField } from '../../../src/domain/field-labels.js';

const demo = (file: string) =>
  readFileSync(new URL(`../../../demo/${file}`, import.meta.url), 'utf8');

/** `[name, label]` of each `<label for>` and the control it labels in a page. */
function htmlLabels(page: string): [string, string][] {
  const names = new Map(
    [...page.matchAll(/<(?:input|select|textarea)\b[^>]*\bid="([^"]+)"[^>]*\bname="([^"]+)"/g)].map(
      (m) => [m[1]!, m[2]!],
    ),
  );
  return [...page.matchAll(/<label for="([^"]+)">([^<]+)<\/label>/g)].map((m) => {
    const name = names.get(m[1]!);
    assert.ok(name, `a control with id ${m[1]}`);
    return [name, m[2]!.trim()];
  });
}

/** `[name, aria-label]` of the controls a demo script builds, in the source between two marks. */
function scriptLabels(source: string, from: string, to: string): [string, string][] {
  const start = source.indexOf(from);
  const part = source.slice(start, source.indexOf(to, start));
  return [...part.matchAll(/name: '([^']+)',(?:[^}]*?)'aria-label': '([^']+)'/g)].map((m) => [
    m[1]!,
    m[2]!,
  ]);
}

describe('field labels', () => {
  test("a customer's fields read as its form labels them", () => {
    assert.equal(fieldLabel('customer', 'name'), 'Contact');
    assert.equal(fieldLabel('customer', 'title'), 'Job title');
    assert.equal(fieldLabel('customer', 'nextStep'), 'Next step');
    assert.equal(fieldLabel('meeting', 'title'), 'Meeting title');
  });

  test('fields the map does not list, and unknown types, read as their names in words', () => {
    assert.equal(fieldLabel('customer', 'dealValue'), 'Deal value');
    assert.equal(fieldLabel('invoice', 'name'), 'Name');
    assert.equal(fieldLabel(undefined, 'nextCallAt'), 'Next call at');
    assert.equal(fieldLabel('customer', 'constructor'), 'Constructor');
    assert.equal(humanizeField('customer_id'), 'Customer id');
    assert.equal(humanizeField('address.city'), 'Address city');
  });

  test("the demo's customer form labels every field as the map does", () => {
    const labels = htmlLabels(demo('customer.html'));
    assert.equal(labels.length, FIELD_LABELS.get('customer')!.size);
    for (const [name, label] of labels) assert.equal(fieldLabel('customer', name), label, name);
  });

  test("the demo's meeting and call forms label every field as the map does", () => {
    const source = demo('customer.js');
    const meetings = scriptLabels(source, 'function renderMeetings', 'function renderCalls');
    const calls = scriptLabels(source, 'function renderCalls', '\n}\n');
    for (const [type, labels] of [
      ['meeting', meetings],
      ['call', calls],
    ] as const) {
      assert.equal(labels.length, FIELD_LABELS.get(type)!.size, type);
      for (const [name, label] of labels) assert.equal(fieldLabel(type, name), label, name);
    }
  });
});
