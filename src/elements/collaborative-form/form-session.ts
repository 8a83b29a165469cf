/**
 * The save session of `<crm-collaborative-form>`: everything between the live entity and the
 * page's fields that is not about the DOM.
 * - a new snapshot goes into the fields (never into the one the user is in or changed), and the
 *   page hears what changed and whether it was loaded, someone else's change or its own save;
 * - a save sends only the changed fields, and its answer is confirmed, rolled back, or kept with
 *   the CRM backend's messages under the fields; a refused save the form did not make (replayed
 *   from the outbox after a reload) is said the same way; a field the user changed and may no
 *   longer change (read-only for them meanwhile) is not saved, the others are, and its value
 *   stays in it with a message under it;
 * - a conflict is handed to the page (`crm-form-conflict`) or shown in the dialog, and the user's
 *   choices become the save that resolves it; conflicts of replayed offline saves follow one by one;
 * - the one-line status (saving, queued offline, refused, conflict …) is decided from all of it.
 *
 * The element owns the DOM side (fields found in the page, focus, marks, the dialog's markup) and
 * hands the session its ports, so the session runs, and is tested, without a document.
 */
import type { ChangeInfo, LiveDataSnapshot } from '../../client/live-data/live-data-types.js';
import type { RealtimeError } from '../../client/realtime-error.js';
import {
  CrmFormChangeEvent,
  CrmFormDeletedEvent,
  CrmFormErrorEvent,
  CrmFormRefusedEvent,
  CrmFormSaveEvent,
  CrmFormSavedEvent,
  type FormChangeSource,
} from '../../events/collaborative-form-events.js';
import type { ConflictChoice } from '../../events/conflict-events.js';
import type { Fields } from '../../protocol/index.js';
import { fieldValue } from '../../protocol/own-field.js';
import { sameJson } from '../../util/same-json.js';
import type { FieldBinding } from './form-fields.js';
import { ConflictFlow } from './form-conflict-flow.js';
import { formStatus, type FormStatus } from './form-status.js';
import type { Refusal, SessionFields, SessionHost, SessionLive } from './form-session-ports.js';

export type { Refusal, SessionFields, SessionHost, SessionLive } from './form-session-ports.js';

export class FormSession {
  private appliedSnapshot: LiveDataSnapshot | undefined;
  private loadedKey: string | undefined;
  private reportedLoadError: string | undefined;
  /** The record whose deletion was said. */
  private saidDeleted: string | undefined;
  private editingKey = '';
  private savedOnce = false;
  /** After the page's form reset, every field shows the record again, also the focused one. */
  private resetting = false;
  private refusal: Refusal | undefined;
  /**
   * Refused changes already said (by mutation id; read-only values by `sayReadOnly`'s key): each
   * is said once, whoever saw it first.
   */
  private readonly saidRefused = new Set<string>();
  /**
   * When this form's unanswered saves were made (`createdAt`, which a rebase's new mutation id
   * leaves as it was): `settled` says their refusals, as this form's own.
   */
  private readonly ownSaves = new Set<number>();
  /** The conflicts of this form's saves, from arrival to resolution. */
  readonly conflicts: ConflictFlow;

  constructor(
    private readonly live: SessionLive,
    private readonly sync: SessionFields,
    private readonly host: SessionHost,
  ) {
    this.conflicts = new ConflictFlow(live, sync, host);
  }

  /** The last refused save, while its message is shown. */
  get refused(): Refusal | undefined {
    return this.refusal;
  }

  /** A record has been shown in the fields (the status line speaks from then on). */
  get hasLoaded(): boolean {
    return this.loadedKey !== undefined;
  }

  /** A live entity is followed: the form saves through it (else it is a plain form). */
  get isLive(): boolean {
    const status = this.live.status;
    return status === 'ready' || status === 'loading';
  }

  /** The status line, decided from the live entity and the fields. */
  status(): FormStatus {
    return formStatus({
      live: this.live.status,
      loadError: this.live.error?.code,
      targetRefused: this.live.refused,
      changes: this.live.changes,
      openConflicts: this.live.conflicts.length,
      dirty: this.sync.dirtyNames().length,
      savedOnce: this.savedOnce,
      refused: this.refusal !== undefined,
      invalid: [...this.sync.fields.keys()].filter(
        (name) => this.sync.errorMessage(name) !== undefined,
      ).length,
    });
  }

  /** The page's fields changed (found, added or removed): new ones show the loaded record. */
  setFields(fields: ReadonlyMap<string, FieldBinding>): void {
    this.sync.setFields(fields, this.live.status === 'ready' ? this.live.data : undefined);
  }

  /**
   * Bring the fields in line with the current snapshot (once per snapshot), and tell the page
   * what changed. `focused` is the field the user is in: it keeps what they see.
   */
  applySnapshot(focused: FieldBinding | undefined): void {
    const snapshot = this.live.snapshot;
    if (snapshot === this.appliedSnapshot) return;
    const previous = this.appliedSnapshot;
    this.appliedSnapshot = snapshot;
    if (!snapshot) return;
    const key = `${snapshot.entityType}:${snapshot.entityId}`;
    if (snapshot.deleted) return this.deleted(key);
    if (snapshot.status === 'error') {
      // Shown, and no longer readable (the user's permissions changed): its values go.
      if (this.loadedKey === key && snapshot.error?.code === 'forbidden') {
        this.loadedKey = undefined;
        this.sync.apply({}, undefined, true);
      }
      if (this.reportedLoadError !== key && snapshot.error) {
        this.reportedLoadError = key;
        this.fire(new CrmFormErrorEvent(this.type, this.id, 'load', snapshot.error));
      }
      return;
    }
    if (snapshot.status === 'loading') {
      // Saves still queued (from before a reload, say) are the user's latest values: shown while
      // the record loads, so they are not taken for lost and typed again.
      if (Object.keys(snapshot.data).length > 0) this.sync.apply(snapshot.data, focused);
      return;
    }
    if (snapshot.status !== 'ready') return;
    const first = this.loadedKey !== key;
    // Another record than the one shown: none of its values may stay on screen.
    const switched = first && this.loadedKey !== undefined;
    if (first) this.loaded(key, snapshot.entityId);
    const { written } = this.sync.apply(
      snapshot.data,
      this.resetting || switched ? undefined : focused,
      switched,
    );
    this.resetting = false;
    const before = first ? {} : (previous?.data ?? {});
    const changed = Object.keys({ ...before, ...snapshot.data }).filter(
      (f) => !sameJson(fieldValue(before, f), fieldValue(snapshot.data, f)),
    );
    if (changed.length === 0 && !first) return;
    const remote =
      !first &&
      snapshot.version !== previous?.version &&
      snapshot.entity?.updatedBy?.id !== this.host.selfId();
    const source: FormChangeSource = first ? 'load' : remote ? 'remote' : 'local';
    if (source === 'remote' && written.length > 0) {
      this.host.remoteWritten(snapshot.entity?.updatedBy?.name ?? '', written);
    }
    this.fire(new CrmFormChangeEvent(this.type, this.id, snapshot.data, changed, source));
  }

  /** Tell live data which fields the user is in or changed: remote changes to them wait. */
  followEditing(focused: string | undefined): void {
    const fields = new Set(this.sync.dirtyNames());
    if (focused !== undefined) fields.add(focused);
    const key = [...fields].sort().join('\n');
    if (key === this.editingKey) return;
    this.editingKey = key;
    this.live.setEditing(fields);
  }

  /**
   * Save the changed fields (`onlyValid`: those passing the controls' validation, for saves on
   * change). Resolves with the outcome, or `undefined` when nothing was sent.
   */
  async save(onlyValid: boolean): Promise<ChangeInfo | undefined> {
    // A deleted record takes no saves; the status says so, and the fields keep the values.
    if (!this.isLive || this.live.snapshot?.deleted) return undefined;
    const fields = this.withoutReadOnly(this.withoutClashes(this.sync.changed(onlyValid)));
    // The open conflict is what this save waits for: the dialog asks for the decision again,
    // unless the page took that conflict over (its own UI asks then).
    if (this.live.conflicts.length > 0 && !this.conflicts.dialogOpen) this.conflicts.showOpen(true);
    if (Object.keys(fields).length === 0) {
      this.host.changed();
      return undefined;
    }
    if (!this.fire(new CrmFormSaveEvent(this.type, this.id, fields))) {
      return undefined;
    }
    // Before the record has loaded, what the page showed is what the user changed from: live
    // data checks it against the record when that arrives, so a change someone made meanwhile is
    // a conflict to show, not something this save overwrites unseen. Read before the fields take
    // the sent values as their own.
    const options = this.live.status === 'loading' ? { seen: this.seen(fields) } : undefined;
    this.sync.sent(fields);
    this.refusal = undefined;
    this.host.changed();
    const outcome = await this.own(() => this.live.update(fields, options));
    this.settled(outcome);
    return outcome;
  }

  /**
   * Say the refusals of saves this form did not make and wait for, as it says its own: a save
   * queued offline and replayed from the outbox after a reload (or from a tab since closed), or
   * another widget's save of the record. Their values showed in the fields and would otherwise
   * vanish in silence. Once the record shows: what goes back into the fields is its values.
   */
  noticeRefusals(): void {
    if (this.live.status !== 'ready') return;
    for (const change of this.live.changes) {
      if (this.ownSaves.has(change.createdAt)) continue;
      const shown = (values: Readonly<Fields>) => {
        const fields: Fields = {};
        for (const [name, value] of Object.entries(values)) {
          if (this.sync.fields.has(name)) fields[name] = value;
        }
        return fields;
      };
      // Refused in fields now read-only for the user (the others were sent on), and, apart,
      // whatever refused the rest.
      if (change.refused) this.sayReadOnly(change, shown(change.refused), true);
      if (change.state === 'rejected' && change.error) {
        this.sayRefused(change, change.error, shown(change.fields), true);
      }
    }
  }

  /**
   * `fields` less those of an open conflict's clashes: the dialog decides them, offering what the
   * form shows as "yours"; saved apart, they would land after the resolution and overwrite it, even
   * when the user chose "theirs".
   *
   * The other fields are saved now like any other save, while the conflict is open: into the
   * outbox at once, so a reload or a closed tab keeps them. Live data sends them only after the
   * resolution, never before, though per-field versions would let the server merge them now: the
   * resolution is a new change made later that carries values of the earlier, conflicting save
   * (its other fields, the user's choices), and sent after this one it would put those older
   * values back over a field both set: being the later change, its clash with this client's own
   * earlier write is re-sent, not asked about. So they go in the order the user made them.
   */
  private withoutClashes(fields: Fields): Fields {
    const clashing = new Set(this.live.conflicts.flatMap((c) => c.conflicts.map((f) => f.field)));
    const kept: Fields = {};
    for (const [name, value] of Object.entries(fields)) if (!clashing.has(name)) kept[name] = value;
    return kept;
  }

  /**
   * `fields` less those the record says the user may not change (its `readOnly` arrived while they
   * had an unsaved edit there): the server would refuse the whole save for them. Their values
   * stay in their fields, to copy, with the message under them, and the page hears it once per
   * field (`crm-form-error`, phase `save`: `forbidden`, with `error.fields` naming them, as the
   * server's refusal does).
   */
  private withoutReadOnly(fields: Fields): Fields {
    const readOnly = this.live.status === 'ready' ? (this.live.snapshot?.readOnly ?? []) : [];
    const kept: Fields = {};
    const withheld: Fields = {};
    for (const [name, value] of Object.entries(fields)) {
      (readOnly.includes(name) ? withheld : kept)[name] = value;
    }
    const names = Object.keys(withheld);
    const message = this.host.readOnlyNotSaved();
    if (names.every((name) => this.sync.errorMessage(name) === message)) return kept;
    this.sync.setFieldErrors(Object.fromEntries(names.map((name) => [name, message])));
    const error = this.live.readOnlyRefusal(names);
    this.fire(new CrmFormErrorEvent(this.type, this.id, 'save', error, withheld));
    return kept;
  }

  /** What the fields of `fields` showed before the user's edit. */
  private seen(fields: Readonly<Fields>): Fields {
    const seen: Fields = {};
    for (const name of Object.keys(fields)) {
      const value = this.sync.givenValue(name);
      if (value !== undefined) seen[name] = value;
    }
    return seen;
  }

  /** The page's form was reset: show the live record again in every field. */
  reset(): void {
    this.sync.reset();
    this.appliedSnapshot = undefined;
    this.resetting = true;
    this.host.changed();
  }

  /** The element left the page: the next connection applies its snapshot afresh. */
  disconnected(): void {
    this.editingKey = '';
    this.appliedSnapshot = undefined;
  }

  /** Put the refused values back into their fields, as the user's unsaved changes. */
  restore(): void {
    const refused = this.refusal;
    if (!refused) return;
    this.refusal = undefined;
    this.sync.restore(refused.fields);
    this.sync.setError(Object.keys(refused.fields), false);
    this.host.changed();
  }

  /** Hide the refused save's message. */
  dismiss(): void {
    if (this.refusal) this.sync.setError(Object.keys(this.refusal.fields), false);
    this.refusal = undefined;
    this.host.changed();
  }

  /** The user chose in the conflict dialog: save what they kept. */
  resolve(choices: Readonly<Record<string, ConflictChoice>>): void {
    void this.own(() => this.conflicts.resolve(choices))?.then((outcome) => this.settled(outcome));
  }

  /** Runs `save` (a save through live data) and notes the change it made as this form's own. */
  private own<T>(save: () => T): T {
    const last = this.live.changes.at(-1);
    const result = save();
    const made = this.live.changes.at(-1);
    if (made && made.mutationId !== last?.mutationId) this.ownSaves.add(made.createdAt);
    return result;
  }

  // ---- answers --------------------------------------------------------------------------------

  /** Another record is shown: what was said about the previous one no longer holds. */
  private loaded(key: string, entityId: string): void {
    this.loadedKey = key;
    // Loaded: a refusal of it later (given, then taken away again) is told to the page again.
    this.reportedLoadError = undefined;
    this.savedOnce = false;
    this.sync.reset();
    this.conflicts.switchedTo(entityId);
    this.refusal = undefined;
  }

  /** A save (or a resolution) of this form was answered. */
  private settled(outcome: ChangeInfo): void {
    this.ownSaves.delete(outcome.createdAt);
    if (outcome.state === 'confirmed') {
      this.savedOnce = true;
      this.fire(
        new CrmFormSavedEvent(this.type, this.id, outcome.fields, outcome.version, outcome),
      );
    } else if (outcome.state === 'rejected' && outcome.error) {
      this.sayRefused(outcome, outcome.error, outcome.fields, false);
    }
    // Saved without the fields made read-only for the user meanwhile: those are said apart.
    if (outcome.refused) this.sayReadOnly(outcome, outcome.refused, false);
    this.host.changed();
  }

  /**
   * The values of a change refused because their fields became read-only for the user, its other
   * fields sent on: said once per change and set of fields, apart from what became of the rest
   * (its `error` is the last reason it waited or was refused, a CRM's `invalid` say, by then).
   */
  private sayReadOnly(change: ChangeInfo, refused: Readonly<Fields>, replayed: boolean): void {
    const names = Object.keys(change.refused ?? refused).sort();
    const key = `${change.createdAt} ${change.entityType}:${change.entityId} ${names.join(',')}`;
    const error =
      change.error?.code === 'forbidden' && change.error.fields
        ? change.error
        : this.live.readOnlyRefusal(names);
    this.sayRefused(change, error, refused, replayed, key);
  }

  /**
   * A save was refused: the CRM backend's messages go under the fields, which keep the values, and
   * so do fields now read-only for the user (`forbidden` naming them: the message says they are
   * read only now, and the value stays to copy); any other refusal rolls the fields back, with
   * the values one click away. The page hears it. Said once per change, whether its own answer
   * or the record's changes told it first.
   */
  private sayRefused(
    change: ChangeInfo,
    error: RealtimeError,
    fields: Readonly<Fields>,
    replayed: boolean,
    /** Said once per key: the change's, unless given. */
    key = change.mutationId,
  ): void {
    if (this.saidRefused.has(key)) return;
    this.saidRefused.add(key);
    if (Object.keys(fields).length === 0) return;
    const messages =
      error.fields && error.code === 'forbidden'
        ? Object.fromEntries(
            Object.keys(error.fields).map((f) => [f, this.host.readOnlyNotSaved()]),
          )
        : error.fields;
    if (!messages || !this.keepRefused(fields, messages)) this.rollBack(fields, error);
    this.fire(new CrmFormErrorEvent(this.type, this.id, 'save', error, fields));
    this.fire(new CrmFormRefusedEvent(this.type, this.id, fields, error, change, replayed));
  }

  /**
   * The CRM deleted the record: said once (the status line, and `crm-form-deleted` for the page).
   * No snapshot goes into the fields from now on, and refused saves are not rolled back, so what
   * the user typed stays there to copy.
   */
  private deleted(key: string): void {
    if (this.saidDeleted === key) return;
    this.saidDeleted = key;
    this.fire(new CrmFormDeletedEvent(this.type, this.id));
    // An open conflict dialog closes, as on cancel: nothing can be resolved, the values stay.
    this.conflicts.cancel();
  }

  /** Roll a refused save back on screen, also in the field the user is still in (sent with Enter). */
  private rollBack(fields: Readonly<Fields>, error: RealtimeError): void {
    if (this.live.snapshot?.deleted) return;
    const data = this.live.data;
    for (const [name, value] of Object.entries(fields)) {
      if (sameJson(this.sync.read(name), value) || !this.sync.isDirty(name)) {
        this.sync.force(name, fieldValue(data, name) ?? null);
      }
    }
    this.sync.setError(Object.keys(fields), true);
    // Refusals said one after the other (two saves replayed after a reload) offer every value back.
    this.refusal = { error, fields: { ...this.refusal?.fields, ...fields } };
  }

  /**
   * Values the CRM's backend refused with a message per field stay in their fields (the user's
   * own, to correct and save again), each field marked invalid with the message under it.
   */
  private keepRefused(fields: Readonly<Fields>, errors: Readonly<Record<string, string>>): boolean {
    const named = Object.keys(errors).filter((name) => this.sync.fields.has(name));
    if (named.length === 0) return false;
    for (const [name, value] of Object.entries(fields)) {
      // Unless the user typed something else meanwhile, the field shows what they sent, as their
      // unsaved change over the record's value (so the next snapshot does not overwrite it).
      if (this.sync.isDirty(name)) continue;
      this.sync.force(name, fieldValue(this.live.data, name) ?? null);
      this.sync.restore({ [name]: value });
    }
    this.sync.setFieldErrors(errors);
    return true;
  }

  private fire(event: Event): boolean {
    return this.host.fire(event);
  }

  private get type(): string {
    return this.host.entity().entityType;
  }

  private get id(): string {
    return this.host.entity().entityId;
  }
}
