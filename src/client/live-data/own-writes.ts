/**
 * What this client wrote to each entity in this session: the versions its changes made and the
 * values they set (as the server stored them). Tells a conflict with this client's own earlier
 * change (two quick saves of one field, an outbox replaying in order) from a real one, and lets a
 * change's base version move up over versions this client made itself.
 */
import { fieldValue, type Entity, type FieldConflict, type Fields } from '../../protocol/index.js';
import { sameJson } from '../../util/same-json.js';

type JsonValue = Fields[string];

interface Written {
  versions: Set<number>;
  values: Map<string, JsonValue>;
}

export class OwnWrites {
  private readonly byKey = new Map<string, Written>();

  /** A change of ours setting `fields` was applied, making `entity` (unknown version when a duplicate). */
  acknowledged(key: string, fields: Fields, entity: Entity, duplicate: boolean): void {
    const own = this.of(key);
    // What the server stored, which a CRM backend may have normalized (`+1 555-010-0123`).
    for (const [field, value] of Object.entries(fields)) {
      own.values.set(field, fieldValue(entity.fields, field) ?? value);
    }
    if (!duplicate) own.versions.add(entity.version);
  }

  /** An `entity.change` made `version`: by one of our changes (`mine`), or someone else's. */
  observed(key: string, version: number, changed: readonly string[], mine: boolean): void {
    if (mine) {
      this.of(key).versions.add(version);
    } else {
      const values = this.byKey.get(key)?.values;
      for (const field of changed) values?.delete(field);
    }
  }

  /** `base` moved up over every version right after it that this client made itself. */
  rebase(key: string, base: number): number {
    const versions = this.byKey.get(key)?.versions;
    if (versions) while (versions.has(base + 1)) base += 1;
    return base;
  }

  /** Every clashing field now holds what the user saw (`seen`), or what this client wrote itself. */
  onlyStale(key: string, seen: Fields, conflicts: readonly FieldConflict[]): boolean {
    const own = this.byKey.get(key)?.values;
    return conflicts.every(
      (c) =>
        (Object.prototype.hasOwnProperty.call(seen, c.field) &&
          sameJson(seen[c.field], c.theirs)) ||
        (own?.has(c.field) === true && sameJson(own.get(c.field), c.theirs)),
    );
  }

  forget(key: string): void {
    this.byKey.delete(key);
  }

  private of(key: string): Written {
    let own = this.byKey.get(key);
    if (!own) this.byKey.set(key, (own = { versions: new Set(), values: new Map() }));
    return own;
  }
}
