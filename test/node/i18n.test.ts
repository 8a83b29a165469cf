import assert from 'node:assert/strict';
import { afterEach, describe, test } from 'node:test';
import { messageContext } from '../../src/i18n.js';

describe('messageContext', () => {
  const originals = {
    ListFormat: Intl.ListFormat,
    PluralRules: Intl.PluralRules,
    NumberFormat: Intl.NumberFormat,
  };
  afterEach(() => Object.assign(Intl, originals));

  /** Counts the formatters made from now on, by kind. */
  function countFormatters(): Record<keyof typeof originals, number> {
    const made = { ListFormat: 0, PluralRules: 0, NumberFormat: 0 };
    for (const name of Object.keys(originals) as (keyof typeof originals)[]) {
      const Original = originals[name] as unknown as new (...args: unknown[]) => object;
      Object.assign(Intl, {
        [name]: class extends Original {
          constructor(...args: unknown[]) {
            super(...args);
            made[name] += 1;
          }
        },
      });
    }
    return made;
  }

  test('makes a formatter when a message first uses it, once', () => {
    const made = countFormatters();
    const context = messageContext('pt-BR');
    assert.deepEqual(made, { ListFormat: 0, PluralRules: 0, NumberFormat: 0 });

    assert.equal(context.plural(1), 'one');
    assert.equal(context.plural(2), 'other');
    assert.deepEqual(made, { ListFormat: 0, PluralRules: 1, NumberFormat: 0 });

    assert.equal(context.list(['Ana', 'Ben', 'Carl']), 'Ana, Ben e Carl');
    assert.equal(context.number(1234), '1.234');
    assert.match(context.seconds(5), /^5\s?s$/);
    context.list(['Ana']);
    context.number(1);
    context.seconds(1);
    assert.deepEqual(made, { ListFormat: 1, PluralRules: 1, NumberFormat: 2 });
  });

  test('is cached per locale, and unknown locales speak English', () => {
    assert.equal(messageContext('de'), messageContext('de'));
    const context = messageContext('not a locale!');
    assert.equal(context.locale, 'en');
    assert.equal(context.list(['Ana', 'Ben']), 'Ana and Ben');
  });
});

describe('the default catalogues', () => {
  test('are frozen: a page cannot change the English of every element by writing into one', async () => {
    const catalogues = {
      activity: (await import('../../src/elements/activity-feed/activity-messages.js'))
        .defaultActivityFeedMessages,
      form: (await import('../../src/elements/collaborative-form/form-messages.js'))
        .defaultCollaborativeFormMessages,
      conflict: (await import('../../src/elements/conflict-dialog/conflict-messages.js'))
        .defaultConflictMessages,
      status: (await import('../../src/elements/connection-status/connection-status-messages.js'))
        .defaultConnectionStatusMessages,
      huddle: (await import('../../src/elements/huddle/huddle-messages.js')).defaultHuddleMessages,
      notifications: (
        await import('../../src/elements/notification-center/notification-center-messages.js')
      ).defaultNotificationCenterMessages,
      presence: (await import('../../src/elements/presence/presence-messages.js'))
        .defaultPresenceMessages,
    };
    for (const [name, catalogue] of Object.entries(catalogues)) {
      assert.ok(Object.isFrozen(catalogue), `${name} is not frozen`);
    }
  });
});
