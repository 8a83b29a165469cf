/**
 * Whether one connection's user may read an entity, for the activity items and notifications that
 * reach them through rooms naming no entity (the global feed, a user's feed, their `user:` room).
 * Joining an entity's room asks the hook; an item about the entity in another room must be held to
 * the same answer, or a hook that refuses `read` of a customer would still let its changes through
 * the global feed.
 *
 * The hook is asked once per connection and entity, as a join is, and the answer kept (the newest
 * `max` entities). A hook that throws or rejects counts as a refusal; one that cannot decide now
 * (`AuthorizationUnavailable`: the CRM's backend did not answer) keeps that item away and is asked
 * again for the next, instead of hiding the entity from this connection for good.
 */
import { entityRoom, type EntityRef } from '../../protocol/index.js';
import { AuthorizationUnavailable } from '../authorize.js';

export class EntityReads {
  /** A settled answer, or the promise of one while an async hook decides. */
  private readonly verdicts = new Map<string, boolean | Promise<void>>();
  /** Counts `forget`s, so an answer asked before one is not kept after it. */
  private generation = 0;

  constructor(
    /** Asks the hook about the entity's room (`customer:42`). */
    private readonly ask: (room: string) => boolean | Promise<boolean>,
    private readonly onError: (room: string, err: unknown) => void = () => {},
    private readonly max = 2_000,
  ) {}

  /**
   * Undefined when the answer for every entity is known; else a promise that settles once it is
   * (never rejects).
   */
  decide(entities: readonly EntityRef[]): Promise<void> | undefined {
    let pending: Promise<void>[] | undefined;
    for (const entity of entities) {
      const verdict = this.lookup(entityRoom(entity.type, entity.id));
      if (typeof verdict !== 'boolean') (pending ??= []).push(verdict);
    }
    if (pending === undefined) return undefined;
    return pending.length === 1 ? pending[0] : Promise.all(pending).then(() => undefined);
  }

  /**
   * Forgets every answer (the user's permissions changed): the next item about an entity asks
   * again. An answer still on its way is not kept when it comes.
   */
  forget(): void {
    this.verdicts.clear();
    this.generation++;
  }

  /** The known answer; false while it is not known (nothing is sent before the hook says yes). */
  allows(type: string, id: string): boolean {
    return this.verdicts.get(entityRoom(type, id)) === true;
  }

  private lookup(room: string): boolean | Promise<void> {
    const known = this.verdicts.get(room);
    if (typeof known === 'boolean') {
      // Kept as the most recently used.
      this.verdicts.delete(room);
      this.verdicts.set(room, known);
      return known;
    }
    if (known !== undefined) return known;
    let verdict: boolean | Promise<boolean>;
    try {
      verdict = this.ask(room);
    } catch (err) {
      if (err instanceof AuthorizationUnavailable) return false;
      this.onError(room, err);
      verdict = false;
    }
    if (typeof verdict === 'boolean') {
      this.remember(room, verdict);
      return verdict;
    }
    const asked = this.generation;
    const settled = Promise.resolve(verdict).then(
      (ok) => {
        if (asked === this.generation) this.remember(room, ok === true);
      },
      (err: unknown) => {
        if (asked !== this.generation) return;
        if (err instanceof AuthorizationUnavailable) {
          // No answer: what waited for it is not sent, and the next item asks again.
          this.verdicts.delete(room);
          return;
        }
        this.onError(room, err);
        this.remember(room, false);
      },
    );
    this.verdicts.set(room, settled);
    return settled;
  }

  private remember(room: string, verdict: boolean): void {
    this.verdicts.delete(room);
    this.verdicts.set(room, verdict);
    if (this.verdicts.size <= this.max) return;
    // The oldest settled answer goes; one still being decided stays, its frames wait for it.
    for (const [key, value] of this.verdicts) {
      if (typeof value === 'boolean') {
        this.verdicts.delete(key);
        return;
      }
    }
  }
}
