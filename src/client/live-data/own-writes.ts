/**
 * What this client wrote to each entity in this session: the versions its changes made and the
 * values they set (as the server stored them), each with when its change was made. Tells a
 * conflict with this client's own earlier change (two quick saves of one field, an outbox
 * replaying in order) from a real one, lets a change's base version move up over versions this
 * client made itself before it, and tells when a change is older than what this client already
 * wrote (a closed tab's queued save sent after this tab's newer one): that one must not overwrite.
 */
import { fieldValue, type Entity, type FieldConflict, type Fields } from '../../protocol/index.js';
import { sameJson } from '../../util/same-json.js';

type JsonValue = Fields[string];

interface Written {
  /** Version → when the change that made it was made. */
  versions: Map<number, number>;
  values: Map<string, { value: JsonValue; madeAt: number }>;
}

/** How the clashes of a change stand (see `OwnWrites.judge`). */
export interface Judgement {
  /** Fields that hold a value this client wrote with a change made after this one. */
  superseded: string[];
  /** Clashes that are neither what the user saw nor this client's own earlier write. */
  real: FieldConflict[];
}

export class OwnWrites {
  private readonly byKey = new Map<string, Written>();

  /**
   * A change of ours made at `madeAt` setting `fields` was applied, making `entity` (unknown
   * version when a duplicate).
   */
  acknowledged(
    key: string,
    fields: Fields,
    entity: Entity,
    duplicate: boolean,
    madeAt: number,
  ): void {
    const own = this.of(key);
    // What the server stored, which a CRM backend may have normalized (`+1 555-010-0123`).
    for (const [field, value] of Object.entries(fields)) {
      own.values.set(field, { value: fieldValue(entity.fields, field) ?? value, madeAt });
    }
    if (!duplicate) own.versions.set(entity.version, madeAt);
  }

  /**
   * An `entity.change` made `version`: by one of our changes, made at `madeAt`, or by someone else
   * (`madeAt` undefined).
   */
  observed(key: string, version: number, changed: readonly string[], madeAt?: number): void {
    if (madeAt !== undefined) {
      this.of(key).versions.set(version, madeAt);
    } else {
      const values = this.byKey.get(key)?.values;
      for (const field of changed) values?.delete(field);
    }
  }

  /**
   * `base` moved up over every version right after it that this client made itself with a change
   * made no later than `madeAt`: a newer one is not the user's starting point for an older change.
   */
  rebase(key: string, base: number, madeAt: number): number {
    const versions = this.byKey.get(key)?.versions;
    if (!versions) return base;
    for (let next = versions.get(base + 1); next !== undefined && next <= madeAt;) {
      base += 1;
      next = versions.get(base + 1);
    }
    return base;
  }

  /**
   * Sorts the clashes of a change made at `madeAt`, whose user saw `seen`: a field that now holds
   * what the user saw, or what this client wrote with an earlier change, is no real clash (the
   * change may go again on the current version); one that holds what this client wrote with a
   * later change is `superseded`; any other is `real`.
   */
  judge(key: string, seen: Fields, madeAt: number, conflicts: readonly FieldConflict[]): Judgement {
    const own = this.byKey.get(key)?.values;
    const judgement: Judgement = { superseded: [], real: [] };
    for (const c of conflicts) {
      const wrote = own?.get(c.field);
      if (wrote !== undefined && sameJson(wrote.value, c.theirs)) {
        if (wrote.madeAt > madeAt) judgement.superseded.push(c.field);
      } else if (!(
        Object.prototype.hasOwnProperty.call(seen, c.field) && sameJson(seen[c.field], c.theirs)
      )) {
        judgement.real.push(c);
      }
    }
    return judgement;
  }

  /** This client wrote `value` to `field` with a change made after `madeAt`. */
  wroteAfter(key: string, field: string, value: JsonValue | undefined, madeAt: number): boolean {
    const wrote = this.byKey.get(key)?.values.get(field);
    return wrote !== undefined && wrote.madeAt > madeAt && sameJson(wrote.value, value);
  }

  forget(key: string): void {
    this.byKey.delete(key);
  }

  private of(key: string): Written {
    let own = this.byKey.get(key);
    if (!own) this.byKey.set(key, (own = { versions: new Map(), values: new Map() }));
    return own;
  }
}
