/**
 * The collaborative form's save session without a DOM: snapshots go into the fields the user is
 * not in and the page hears what changed and why; a save sends only the changed fields and its
 * answer is confirmed, rolled back, or kept with the backend's messages; conflicts go to the page
 * or the dialog, and the user's choices become the resolving save.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type {
  ChangeInfo,
  LiveConflict,
  LiveDataSnapshot,
  LiveUpdateOptions,
} from '../../../../src/client/live-data/live-data-types.js';
import { RealtimeError } from '../../../../src/client/realtime-error.js';
import type { LiveDataControllerStatus } from '../../../../src/controllers/live-data-controller.js';
import {
  CrmFormChangeEvent,
  CrmFormConflictEvent,
  CrmFormDeletedEvent,
  CrmFormErrorEvent,
  CrmFormRefusedEvent,
  CrmFormSaveEvent,
  CrmFormSavedEvent,
} from '../../../../src/events/collaborative-form-events.js';
import type { ApplyResult } from '../../../../src/elements/collaborative-form/field-sync.js';
import type { JsonValue } from '../../../../src/elements/collaborative-form/field-values.js';
import type { FieldBinding } from '../../../../src/elements/collaborative-form/form-fields.js';
import {
  FormSession,
  type SessionFields,
  type SessionLive,
} from '../../../../src/elements/collaborative-form/form-session.js';
import type { Fields, FieldConflict } from '../../../../src/protocol/index.js';

const ME = { id: 'ada', name: 'Ada Lovelace' };
const BEN = { id: 'ben', name: 'Ben Carter' };

/** Fields as plain values: what each shows, what it was last given, and what the user changed. */
class MemoryFields implements SessionFields {
  fields = new Map<string, FieldBinding>();
  readonly shown = new Map<string, JsonValue>();
  private readonly given = new Map<string, JsonValue>();
  private readonly errors = new Map<string, string | undefined>();

  constructor(names: string[]) {
    for (const name of names) {
      this.fields.set(name, { name } as FieldBinding);
      this.shown.set(name, '');
      this.given.set(name, '');
    }
  }

  /** The user types into a field. */
  type(name: string, value: JsonValue): void {
    this.shown.set(name, value);
    this.errors.delete(name);
  }

  setFields(): void {}
  reset(): void {
    for (const [name, value] of this.shown) this.given.set(name, value);
  }
  apply(data: Readonly<Fields>, focused: FieldBinding | undefined): ApplyResult {
    const written: string[] = [];
    for (const name of this.fields.keys()) {
      if (!(name in data) || this.fields.get(name) === focused || this.isDirty(name)) continue;
      if (this.shown.get(name) !== data[name]) written.push(name);
      this.shown.set(name, data[name]!);
      this.given.set(name, data[name]!);
    }
    return { written };
  }
  force(name: string, value: JsonValue | undefined): boolean {
    if (value === undefined || !this.fields.has(name)) return false;
    this.shown.set(name, value);
    this.given.set(name, value);
    return true;
  }
  read(name: string): JsonValue | undefined {
    return this.shown.get(name);
  }
  givenValue(name: string): JsonValue | undefined {
    return this.given.get(name);
  }
  changed(): Fields {
    return Object.fromEntries(this.dirtyNames().map((name) => [name, this.shown.get(name)!]));
  }
  sent(fields: Readonly<Fields>): void {
    for (const [name, value] of Object.entries(fields)) this.given.set(name, value);
  }
  setError(names: Iterable<string>, error: boolean): void {
    for (const name of names) {
      if (error) this.errors.set(name, undefined);
      else this.errors.delete(name);
    }
  }
  setFieldErrors(errors: Readonly<Record<string, string>>): void {
    for (const [name, message] of Object.entries(errors)) this.errors.set(name, message);
  }
  errorMessage(name: string): string | undefined {
    return this.errors.get(name);
  }
  restore(fields: Readonly<Fields>): void {
    for (const [name, value] of Object.entries(fields)) this.shown.set(name, value);
  }
  isDirty(name: string): boolean {
    return this.shown.get(name) !== this.given.get(name);
  }
  dirtyNames(): string[] {
    return [...this.fields.keys()].filter((name) => this.isDirty(name));
  }
}

/** The live entity, moved by the test: each `show` is a new snapshot. */
class ScriptedLive implements SessionLive {
  snapshot: LiveDataSnapshot | undefined;
  status: LiveDataControllerStatus = 'loading';
  refused = false;
  error: RealtimeError | undefined;
  changes: ChangeInfo[] = [];
  conflicts: LiveConflict[] = [];
  readonly sent: Fields[] = [];
  readonly editing: string[][] = [];
  answer: (fields: Fields) => ChangeInfo = (fields) => change(fields, 'confirmed');

  readOnlyRefusal(fields: readonly string[]): RealtimeError {
    return new RealtimeError('forbidden', `read-only: ${fields.join(', ')}`);
  }

  get data(): Readonly<Fields> {
    return this.snapshot?.data ?? {};
  }

  show(data: Fields, version: number, by = BEN, entityId = '42'): void {
    this.status = 'ready';
    this.snapshot = {
      entityType: 'customer',
      entityId,
      status: 'ready',
      deleted: false,
      error: undefined,
      entity: {
        type: 'customer',
        id: entityId,
        version,
        fields: data,
        updatedAt: 0,
        updatedBy: by,
      },
      version,
      data,
      changes: [],
      conflicts: [],
      held: [],
      readOnly: [],
    };
  }

  /** The CRM deleted the record: the snapshot says so, its error is `not_found`, as live data has it. */
  deleted(): void {
    this.error = new RealtimeError('not_found', 'customer:42 was deleted');
    this.snapshot = { ...this.snapshot!, deleted: true, error: this.error };
  }

  readonly options: (LiveUpdateOptions | undefined)[] = [];

  async update(fields: Fields, options?: LiveUpdateOptions): Promise<ChangeInfo> {
    this.sent.push(fields);
    this.options.push(options);
    return this.answer(fields);
  }

  setEditing(fields: Iterable<string>): void {
    this.editing.push([...fields].sort());
  }
}

function change(fields: Fields, state: ChangeInfo['state'], error?: RealtimeError): ChangeInfo {
  return {
    mutationId: 'mutation-0001',
    entityType: 'customer',
    entityId: '42',
    fields,
    state,
    queued: false,
    createdAt: 0,
    baseVersion: 1,
    ...(state === 'confirmed' ? { version: 2 } : {}),
    ...(error ? { error } : {}),
  };
}

function conflictOn(field: string, mine: JsonValue, theirs: JsonValue) {
  const resolved: Fields[] = [];
  const amended: Fields[] = [];
  let discarded = false;
  const conflicts: FieldConflict[] = [{ field, mine, theirs, changedBy: BEN } as FieldConflict];
  const conflict: LiveConflict = {
    entityType: 'customer',
    entityId: '42',
    change: change({ [field]: mine }, 'conflicted'),
    conflicts,
    current: { type: 'customer', id: '42', version: 3, fields: { [field]: theirs }, updatedAt: 0 },
    mine: { [field]: mine },
    local: { [field]: mine },
    resolve: async (fields) => {
      resolved.push(fields);
      return change(fields, 'confirmed');
    },
    discard: () => {
      discarded = true;
    },
    amend: (fields) => amended.push(fields) > 0,
  };
  return { conflict, resolved, amended, discarded: () => discarded };
}

function setUp(names = ['email', 'phone']) {
  const live = new ScriptedLive();
  const fields = new MemoryFields(names);
  const events: Event[] = [];
  const remote: { author: string; fields: readonly string[] }[] = [];
  let veto: string | undefined;
  const session = new FormSession(live, fields, {
    entity: () => ({ entityType: 'customer', entityId: '42' }),
    selfId: () => ME.id,
    fire: (event) => {
      events.push(event);
      return event.type !== veto;
    },
    changed: () => {},
    remoteWritten: (author, written) => remote.push({ author, fields: written }),
    readOnlyNotSaved: () => 'now read only',
    rendered: async () => true,
  });
  const of = <T extends Event>(type: new (...args: never[]) => T): T[] =>
    events.filter((e): e is T => e instanceof type);
  return {
    live,
    fields,
    session,
    events,
    remote,
    of,
    vetoing: (type: string) => (veto = type),
  };
}

describe('FormSession: snapshots into fields', () => {
  test('the first snapshot fills every field and tells the page it loaded', () => {
    const { live, fields, session, of } = setUp();
    live.show({ email: 'a@x.io', phone: '1' }, 1);
    session.applySnapshot(undefined);
    assert.equal(fields.read('email'), 'a@x.io');
    const [loaded] = of(CrmFormChangeEvent);
    assert.equal(loaded?.source, 'load');
    assert.deepEqual(loaded?.changed, ['email', 'phone']);
    assert.equal(session.status().kind, 'idle');
  });

  test('while the record loads, saves still queued show in their fields', () => {
    const { live, fields, session } = setUp();
    live.snapshot = {
      entityType: 'customer',
      entityId: '42',
      status: 'loading',
      deleted: false,
      error: undefined,
      entity: undefined,
      version: undefined,
      data: { phone: '+1 queued' },
      changes: [],
      conflicts: [],
      held: [],
      readOnly: [],
    };
    session.applySnapshot(undefined);
    assert.equal(fields.read('phone'), '+1 queued');
    assert.equal(fields.read('email'), '');
  });

  test('the same snapshot twice is applied once', () => {
    const { live, session, of } = setUp();
    live.show({ email: 'a@x.io' }, 1);
    session.applySnapshot(undefined);
    session.applySnapshot(undefined);
    assert.equal(of(CrmFormChangeEvent).length, 1);
  });

  test("someone else's change is written, flashed and named; not in the field the user is in", () => {
    const { live, fields, session, of, remote } = setUp();
    live.show({ email: 'a@x.io', phone: '1' }, 1);
    session.applySnapshot(undefined);
    live.show({ email: 'b@x.io', phone: '2' }, 2, BEN);
    session.applySnapshot(fields.fields.get('phone'));
    assert.equal(fields.read('email'), 'b@x.io');
    assert.equal(fields.read('phone'), '1', 'the focused field keeps what the user sees');
    assert.deepEqual(remote, [{ author: BEN.name, fields: ['email'] }]);
    const last = of(CrmFormChangeEvent).at(-1);
    assert.equal(last?.source, 'remote');
    assert.deepEqual(last?.changed, ['email', 'phone']);
  });

  test("the user's own save coming back is a local change, not someone else's", () => {
    const { live, session, of, remote } = setUp();
    live.show({ email: 'a@x.io' }, 1);
    session.applySnapshot(undefined);
    live.show({ email: 'b@x.io' }, 2, ME);
    session.applySnapshot(undefined);
    assert.equal(of(CrmFormChangeEvent).at(-1)?.source, 'local');
    assert.deepEqual(remote, []);
  });

  test('a record that cannot be read is reported once', () => {
    const { live, session, of } = setUp();
    const error = new RealtimeError('not_found', 'no such customer');
    for (let i = 0; i < 2; i++) {
      live.status = 'error';
      live.snapshot = {
        ...({} as LiveDataSnapshot),
        entityType: 'customer',
        entityId: '42',
        status: 'error',
        error,
      };
      session.applySnapshot(undefined);
    }
    const errors = of(CrmFormErrorEvent);
    assert.equal(errors.length, 1);
    assert.equal(errors[0]?.phase, 'load');
  });

  test('no live entity is "unavailable"; one whose type or id the client refused "could not load"', () => {
    const { live, session } = setUp();
    live.status = 'unavailable';
    assert.equal(session.status().kind, 'unavailable');
    live.refused = true;
    assert.equal(session.status().kind, 'load-error');
    assert.equal(session.isLive, false);
  });

  test('live data hears which fields the user is in or changed, once per change of that set', () => {
    const { live, fields, session } = setUp();
    live.show({ email: 'a@x.io', phone: '1' }, 1);
    session.applySnapshot(undefined);
    session.followEditing('email');
    session.followEditing('email');
    fields.type('phone', '2');
    session.followEditing('email');
    assert.deepEqual(live.editing, [['email'], ['email', 'phone']]);
  });
});

describe('FormSession: saving', () => {
  test('sends only the changed fields, and a confirmed save says so', async () => {
    const { live, fields, session, of } = setUp();
    live.show({ email: 'a@x.io', phone: '1' }, 1);
    session.applySnapshot(undefined);
    fields.type('phone', '2');
    const outcome = await session.save(false);
    assert.deepEqual(live.sent, [{ phone: '2' }]);
    assert.equal(outcome?.state, 'confirmed');
    assert.deepEqual(of(CrmFormSavedEvent)[0]?.fields, { phone: '2' });
    assert.equal(session.status().kind, 'saved');
  });

  test('before the record loads, a save says what the fields showed, so a change meanwhile conflicts', async () => {
    const { live, fields, session } = setUp();
    // The page printed its values; the record has not arrived (the socket cannot connect yet).
    fields.force('phone', '+44 printed');
    live.status = 'loading';
    fields.type('phone', '+44 typed');
    await session.save(false);
    assert.deepEqual(live.sent, [{ phone: '+44 typed' }]);
    assert.deepEqual(live.options, [{ seen: { phone: '+44 printed' } }]);
    // Once loaded, live data knows what the user saw: nothing is added.
    live.show({ phone: '+44 typed', email: 'a@x.io' }, 2);
    session.applySnapshot(undefined);
    fields.type('email', 'b@x.io');
    await session.save(false);
    assert.equal(live.options[1], undefined);
  });

  test('nothing is sent when nothing changed, when not live, or when the page vetoes', async () => {
    const { live, fields, session, vetoing, of } = setUp();
    assert.equal(await session.save(false), undefined, 'not live');
    live.show({ email: 'a@x.io' }, 1);
    session.applySnapshot(undefined);
    assert.equal(await session.save(false), undefined, 'nothing changed');
    fields.type('email', 'b@x.io');
    vetoing(CrmFormSaveEvent.eventName);
    assert.equal(await session.save(false), undefined, 'vetoed');
    assert.deepEqual(live.sent, []);
    assert.equal(of(CrmFormSaveEvent).length, 1);
    assert.deepEqual(fields.dirtyNames(), ['email'], 'a vetoed save leaves the change unsaved');
  });

  test('a refused save is rolled back, reported, and can be restored as unsaved changes', async () => {
    const { live, fields, session, of } = setUp();
    live.show({ email: 'a@x.io' }, 1);
    session.applySnapshot(undefined);
    fields.type('email', 'b@x.io');
    const error = new RealtimeError('forbidden', 'not yours');
    live.answer = (sent) => change(sent, 'rejected', error);
    await session.save(false);
    assert.equal(fields.read('email'), 'a@x.io', 'rolled back');
    assert.equal(session.refused?.error, error);
    assert.equal(session.status().kind, 'refused');
    assert.equal(of(CrmFormErrorEvent)[0]?.phase, 'save');
    session.restore();
    assert.equal(fields.read('email'), 'b@x.io');
    assert.equal(session.refused, undefined);
    assert.equal(session.status().kind, 'unsaved');
  });

  test('values the backend refused with messages stay, each field with its message', async () => {
    const { live, fields, session, of } = setUp();
    live.show({ email: 'a@x.io' }, 1);
    session.applySnapshot(undefined);
    fields.type('email', 'not an address');
    const error = new RealtimeError('invalid', 'invalid', undefined, { email: 'Not an email' });
    live.answer = (sent) => change(sent, 'rejected', error);
    await session.save(false);
    assert.equal(fields.read('email'), 'not an address');
    assert.equal(fields.errorMessage('email'), 'Not an email');
    assert.equal(session.refused, undefined);
    assert.equal(session.status().kind, 'invalid');
    assert.equal(of(CrmFormErrorEvent).length, 1);
  });

  test('a refused save the form did not make (replayed after a reload) is said as its own, once', () => {
    const { live, fields, session, of } = setUp();
    // After the reload the record shows its stored value: the queued save was refused.
    live.show({ email: 'a@x.io', phone: '1' }, 1);
    session.applySnapshot(undefined);
    const error = new RealtimeError('forbidden', 'not yours');
    live.changes = [
      {
        ...change({ email: 'queued@x.io', name: 'not a field' }, 'rejected', error),
        createdAt: -5,
      },
    ];
    session.noticeRefusals();
    session.noticeRefusals();
    assert.equal(fields.read('email'), 'a@x.io');
    assert.deepEqual(session.refused?.fields, { email: 'queued@x.io' }, "only the form's fields");
    assert.equal(session.status().kind, 'refused');
    const [said] = of(CrmFormRefusedEvent);
    assert.equal(of(CrmFormRefusedEvent).length, 1);
    assert.deepEqual(
      [said?.replayed, said?.error, said?.fields],
      [true, error, session.refused?.fields],
    );
    assert.equal(of(CrmFormErrorEvent).length, 1);
    session.restore();
    assert.equal(fields.read('email'), 'queued@x.io', 'offered back as an unsaved change');
    assert.deepEqual(fields.dirtyNames(), ['email']);
  });

  test('a replayed refusal waits for the record: the values to put back are its values', () => {
    const { live, session, of } = setUp();
    live.changes = [
      change({ email: 'queued@x.io' }, 'rejected', new RealtimeError('forbidden', 'no')),
    ];
    session.noticeRefusals();
    assert.equal(of(CrmFormRefusedEvent).length, 0);
    live.show({ email: 'a@x.io' }, 1);
    session.applySnapshot(undefined);
    session.noticeRefusals();
    assert.equal(of(CrmFormRefusedEvent).length, 1);
  });

  test("the form's own refused save is said once, as its own, even when the record tells it first", async () => {
    const { live, fields, session, of } = setUp();
    live.show({ email: 'a@x.io' }, 1);
    session.applySnapshot(undefined);
    fields.type('email', 'b@x.io');
    const error = new RealtimeError('forbidden', 'not yours');
    const made = { ...change({ email: 'b@x.io' }, 'pending'), createdAt: 7 };
    const refused = { ...made, state: 'rejected' as const, error };
    live.update = (sent) => {
      live.sent.push(sent);
      live.changes = [made]; // live data shows the save at once
      return new Promise((resolve) => setImmediate(() => resolve(refused)));
    };
    const saving = session.save(false);
    live.changes = [refused]; // the record's changes show the refusal before the save's answer
    session.noticeRefusals();
    await saving;
    session.noticeRefusals();
    assert.deepEqual(
      of(CrmFormRefusedEvent).map((e) => e.replayed),
      [false],
    );
    assert.equal(of(CrmFormErrorEvent).length, 1);
  });

  test('another record clears what was said about the previous one', async () => {
    const { live, fields, session } = setUp();
    live.show({ email: 'a@x.io' }, 1);
    session.applySnapshot(undefined);
    fields.type('email', 'b@x.io');
    live.answer = (sent) => change(sent, 'rejected', new RealtimeError('forbidden', 'no'));
    await session.save(false);
    assert.notEqual(session.refused, undefined);
    live.show({ email: 'c@x.io' }, 1, BEN, '43');
    session.applySnapshot(undefined);
    assert.equal(session.refused, undefined);
    assert.equal(session.status().kind, 'idle');
  });
});

describe('FormSession: conflicts', () => {
  test('the dialog shows what the form shows as "yours", and "mine" saves it', async () => {
    const { live, fields, session } = setUp();
    live.show({ email: 'a@x.io' }, 1);
    session.applySnapshot(undefined);
    fields.type('email', 'typed on');
    const { conflict, resolved } = conflictOn('email', 'sent', 'theirs@x.io');
    session.conflicts.arrived(conflict);
    assert.equal(session.conflicts.dialogOpen, true);
    assert.equal(session.conflicts.conflict?.shown[0]?.mine, 'typed on');
    session.resolve({ email: 'mine' });
    assert.equal(session.conflicts.dialogOpen, false);
    assert.equal(session.conflicts.conflict, undefined);
    assert.deepEqual(resolved, [{ email: 'typed on' }]);
  });

  test('a field the user has not touched holds no "yours": the conflicting change\'s value is', async () => {
    // A replayed save after a reload: the field shows the stored value, not the queued one.
    const { live, session } = setUp();
    live.show({ email: 'stored@x.io' }, 1);
    session.applySnapshot(undefined);
    const { conflict, resolved } = conflictOn('email', 'queued@x.io', 'theirs@x.io');
    session.conflicts.arrived(conflict);
    assert.equal(session.conflicts.conflict?.shown[0]?.mine, 'queued@x.io');
    session.resolve({ email: 'mine' });
    assert.deepEqual(resolved, [{ email: 'queued@x.io' }]);
  });

  test('"theirs" shows their value at once and, with nothing else to save, drops the change', () => {
    const { live, fields, session } = setUp();
    live.show({ email: 'a@x.io' }, 1);
    session.applySnapshot(undefined);
    const { conflict, resolved, discarded } = conflictOn('email', 'sent', 'theirs@x.io');
    session.conflicts.arrived(conflict);
    session.resolve({ email: 'theirs' });
    assert.equal(fields.read('email'), 'theirs@x.io');
    assert.deepEqual(resolved, []);
    assert.equal(discarded(), true);
  });

  test('a page that takes the conflict (preventDefault) gets no dialog', () => {
    const { live, session, vetoing, of } = setUp();
    live.show({ email: 'a@x.io' }, 1);
    session.applySnapshot(undefined);
    vetoing(CrmFormConflictEvent.eventName);
    session.conflicts.arrived(conflictOn('email', 'sent', 'theirs').conflict);
    assert.equal(of(CrmFormConflictEvent).length, 1);
    assert.equal(session.conflicts.dialogOpen, false);
    assert.equal(session.conflicts.conflict, undefined);
  });

  test('cancelling keeps the conflict to resolve later; saving first reopens it', async () => {
    const { live, fields, session } = setUp();
    live.show({ email: 'a@x.io' }, 1);
    session.applySnapshot(undefined);
    const { conflict } = conflictOn('email', 'sent', 'theirs');
    live.conflicts = [conflict];
    session.conflicts.arrived(conflict);
    session.conflicts.cancel();
    assert.equal(session.conflicts.dialogOpen, false);
    assert.equal(session.status().kind, 'conflict');
    fields.type('email', 'again');
    assert.equal(await session.save(false), undefined);
    assert.equal(session.conflicts.dialogOpen, true);
    assert.deepEqual(live.sent, []);
  });

  test('what the user types into a clashing field after "later" is amended into the conflict as theirs', () => {
    const { live, fields, session } = setUp();
    live.show({ email: 'a@x.io', phone: '1' }, 1);
    session.applySnapshot(undefined);
    const { conflict, amended } = conflictOn('email', 'sent', 'theirs');
    live.conflicts = [conflict];
    session.conflicts.arrived(conflict);
    session.conflicts.cancel();
    session.conflicts.keepTyped();
    assert.deepEqual(amended, [], 'nothing typed yet');
    fields.type('phone', '2');
    fields.type('email', 'typed on');
    session.conflicts.keepTyped();
    session.conflicts.keepTyped();
    assert.deepEqual(amended, [{ email: 'typed on' }], "once: then it is the conflict's value");
    assert.deepEqual(fields.dirtyNames(), ['phone'], "the phone is still the user's to save");
  });

  test("a conflict the page took over is not amended: it is the page's to decide", () => {
    const { live, fields, session, vetoing } = setUp();
    live.show({ email: 'a@x.io' }, 1);
    session.applySnapshot(undefined);
    vetoing(CrmFormConflictEvent.eventName);
    const { conflict, amended } = conflictOn('email', 'sent', 'theirs');
    live.conflicts = [conflict];
    session.conflicts.arrived(conflict);
    fields.type('email', 'typed on');
    session.conflicts.keepTyped();
    assert.deepEqual(amended, []);
  });

  test('a save while a conflict waits sends the other fields, leaving the clashing ones to the dialog', async () => {
    const { live, fields, session } = setUp();
    live.show({ email: 'a@x.io', phone: '1' }, 1);
    session.applySnapshot(undefined);
    const { conflict } = conflictOn('email', 'sent', 'theirs');
    live.conflicts = [conflict];
    session.conflicts.arrived(conflict);
    session.conflicts.cancel();
    fields.type('email', 'again');
    fields.type('phone', '2');
    // Live data stores it at once and sends it after the resolution.
    await session.save(false);
    assert.deepEqual(live.sent, [{ phone: '2' }]);
    assert.deepEqual(fields.dirtyNames(), ['email'], "the clashing field stays the user's edit");
    assert.equal(session.conflicts.dialogOpen, true, 'the decision is asked for again');
    assert.equal(session.conflicts.conflict?.shown[0]?.mine, 'again');
  });

  test('a save while the dialog is open (say, on change) leaves the dialog as the user has it', async () => {
    const { live, fields, session } = setUp();
    live.show({ email: 'a@x.io', phone: '1' }, 1);
    session.applySnapshot(undefined);
    const { conflict } = conflictOn('email', 'sent', 'theirs');
    live.conflicts = [conflict];
    session.conflicts.arrived(conflict);
    const shown = session.conflicts.conflict;
    fields.type('phone', '2');
    await session.save(true);
    assert.deepEqual(live.sent, [{ phone: '2' }]);
    assert.equal(session.conflicts.conflict, shown);
  });

  test('after a resolution the next open conflict (a replayed offline save) is shown', async () => {
    const { live, session } = setUp();
    live.show({ email: 'a@x.io', phone: '1' }, 1);
    session.applySnapshot(undefined);
    const first = conflictOn('email', 'sent', 'theirs');
    const second = conflictOn('phone', '2', '3');
    live.conflicts = [first.conflict, second.conflict];
    session.conflicts.arrived(first.conflict);
    live.conflicts = [second.conflict];
    session.resolve({ email: 'mine' });
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(session.conflicts.dialogOpen, true);
    assert.equal(session.conflicts.conflict?.of, second.conflict);
  });
});

describe('FormSession: the record was deleted', () => {
  test('says so once, keeps what the fields show, and saves nothing more', async () => {
    const { live, fields, session, of } = setUp();
    live.show({ email: 'a@x.io', phone: '1' }, 1);
    session.applySnapshot(undefined);
    fields.type('email', 'typed@x.io');
    // A save on its way is refused not_found when the deletion arrives: not rolled back.
    live.answer = (sent) =>
      change(sent, 'rejected', new RealtimeError('not_found', 'customer:42 was deleted'));
    live.deleted();
    session.applySnapshot(undefined);
    await session.save(false);
    assert.equal(fields.read('email'), 'typed@x.io', 'the user keeps what they typed');
    assert.equal(session.status().kind, 'load-error');
    assert.deepEqual(live.sent, [], 'nothing is sent for a deleted record');
    const [deleted, ...more] = of(CrmFormDeletedEvent);
    assert.equal(deleted?.entityId, '42');
    assert.equal(more.length, 0);
    // Later snapshots (the refused save leaving the data) write nothing and say nothing again.
    live.snapshot = { ...live.snapshot!, data: { email: 'a@x.io', phone: '2' } };
    session.applySnapshot(undefined);
    assert.equal(fields.read('phone'), '1');
    assert.equal(of(CrmFormDeletedEvent).length, 1);
  });

  test('a save refused not_found because of the deletion is not rolled back', async () => {
    const { live, fields, session } = setUp();
    live.show({ email: 'a@x.io' }, 1);
    session.applySnapshot(undefined);
    fields.type('email', 'typed@x.io');
    live.answer = (sent) => {
      live.deleted();
      return change(sent, 'rejected', new RealtimeError('not_found', 'customer:42 was deleted'));
    };
    await session.save(false);
    assert.equal(fields.read('email'), 'typed@x.io');
    assert.equal(session.status().kind, 'load-error');
  });

  test('an open conflict dialog closes; the user keeps their values', () => {
    const { live, fields, session } = setUp();
    live.show({ email: 'a@x.io' }, 1);
    session.applySnapshot(undefined);
    fields.type('email', 'mine@x.io');
    session.conflicts.arrived(conflictOn('email', 'mine@x.io', 'theirs@x.io').conflict);
    assert.equal(session.conflicts.dialogOpen, true);
    live.deleted();
    session.applySnapshot(undefined);
    assert.equal(session.conflicts.dialogOpen, false);
    assert.equal(fields.read('email'), 'mine@x.io');
  });
});
