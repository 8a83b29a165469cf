/**
 * The conflicts of `<crm-collaborative-form>`'s saves, from arrival to resolution: each goes to
 * the page first (`crm-form-conflict`, cancelable: the page may take it over), else into the
 * conflict dialog, which shows what the form shows as "yours"; the user's choices become the save
 * that resolves it, and "theirs" shows at once. A cancelled dialog keeps the conflict to resolve
 * later, with what the user types into its fields meanwhile as theirs (kept in the outbox); after
 * a resolution, the next open one (say, a replayed offline save) follows.
 */
import type { ChangeInfo, LiveConflict } from '../../client/live-data/live-data-types.js';
import { CrmFormConflictEvent } from '../../events/collaborative-form-events.js';
import type { ConflictChoice } from '../../events/conflict-events.js';
import type { FieldConflict, Fields } from '../../protocol/index.js';
import { dialogConflicts, resolutionOf } from './form-conflicts.js';
import type { SessionFields, SessionHost } from './form-session-ports.js';

/** The conflict the dialog shows (or showed, until resolved), and its fields as shown. */
export interface ShownConflict {
  readonly of: LiveConflict;
  /** "Yours" is what the form showed when the dialog opened. */
  readonly shown: FieldConflict[];
}

export class ConflictFlow {
  private shown: ShownConflict | undefined;
  private open = false;
  /** Conflicts the page took over (`crm-form-conflict` prevented). */
  private readonly handledByPage = new WeakSet<LiveConflict>();

  constructor(
    private readonly live: { readonly conflicts: readonly LiveConflict[] },
    private readonly sync: Pick<SessionFields, 'read' | 'isDirty' | 'changed' | 'sent' | 'force'>,
    private readonly host: Pick<SessionHost, 'entity' | 'fire' | 'changed' | 'rendered'>,
  ) {}

  /** The conflict the dialog holds, if any (open, or cancelled to resolve later). */
  get conflict(): ShownConflict | undefined {
    return this.shown;
  }

  /** The conflict dialog is open. */
  get dialogOpen(): boolean {
    return this.open;
  }

  /** Live data reports a conflict of this form's save: the page may take it, else the dialog. */
  arrived(conflict: LiveConflict): void {
    const { entityType, entityId } = this.host.entity();
    if (!this.host.fire(new CrmFormConflictEvent(entityType, entityId, conflict))) {
      this.handledByPage.add(conflict);
      this.host.changed();
      return;
    }
    if (!this.open) this.show(conflict);
  }

  /**
   * Open the dialog for the first open conflict; false when there is none. With `ownOnly`, a
   * conflict the page took over is left to the page (a save does not open the form's dialog on
   * it); without, as when the user presses the status's "Resolve…", the form shows it too.
   */
  showOpen(ownOnly = false): boolean {
    const open = this.live.conflicts.find((c) => !ownOnly || !this.handledByPage.has(c));
    if (open) this.show(open);
    return open !== undefined;
  }

  /**
   * The user chose in the dialog: what they kept is saved (the promise of its outcome), what they
   * took from the others shows at once. `undefined` when nothing is left to save.
   */
  resolve(choices: Readonly<Record<string, ConflictChoice>>): Promise<ChangeInfo> | undefined {
    const open = this.shown;
    if (!open) return undefined;
    this.shown = undefined;
    this.open = false;
    const conflicted = new Set(open.shown.map((c) => c.field));
    const pending = this.sync.changed();
    for (const name of Object.keys(pending)) if (conflicted.has(name)) delete pending[name];
    const { save, theirs } = resolutionOf(open.of, choices, open.shown, pending);
    this.sync.sent(save);
    // "Theirs" shows at once, also in a field the focus returns to.
    for (const [name, value] of Object.entries(theirs)) this.sync.force(name, value);
    let outcome: Promise<ChangeInfo> | undefined;
    if (Object.keys(save).length === 0) open.of.discard();
    else outcome = open.of.resolve(save);
    this.host.changed();
    this.nextLater();
    return outcome;
  }

  /**
   * What the user typed into a clashing field since (after "Resolve later") is their value for the
   * conflict: amended into it, so the outbox keeps it, a reload offers it as "yours" and "mine"
   * saves it. Conflicts the page took over are the page's to decide.
   */
  keepTyped(): void {
    for (const conflict of this.live.conflicts) {
      const typed = this.typed(conflict);
      const mine = !this.handledByPage.has(conflict) && Object.keys(typed).length > 0;
      // Amended, the typed values are the conflict's, as if sent: not amended again.
      if (mine && conflict.amend(typed)) this.sync.sent(typed);
    }
  }

  /** The user closed the dialog: their values stay in the form; the status offers to resolve later. */
  cancel(): void {
    this.open = false;
    this.host.changed();
  }

  /** Another record is shown: a conflict of the previous one no longer belongs in the dialog. */
  switchedTo(entityId: string): void {
    if (this.shown && this.shown.of.entityId !== entityId) {
      this.shown = undefined;
      this.open = false;
    }
  }

  private show(conflict: LiveConflict): void {
    this.shown = { of: conflict, shown: dialogConflicts(conflict, this.typed(conflict)) };
    this.open = true;
    this.host.changed();
  }

  /**
   * What the user typed into the conflict's fields since it arrived: a field they have not touched
   * holds no edit of theirs. After a reload it still shows the page's own value, and taking that
   * for theirs would save the stale value over both edits.
   */
  private typed(conflict: LiveConflict): Fields {
    const typed: Fields = {};
    for (const c of conflict.conflicts) {
      // A field is dirty only while the form has it: it reads a value.
      if (this.sync.isDirty(c.field)) typed[c.field] = this.sync.read(c.field)!;
    }
    return typed;
  }

  /** After a resolution, the next open conflict of this entity (say, replayed offline edits). */
  private nextLater(): void {
    void this.host.rendered().then((onPage) => {
      const next = this.live.conflicts.find((c) => !this.handledByPage.has(c));
      if (next && !this.open && onPage) this.show(next);
    });
  }
}
