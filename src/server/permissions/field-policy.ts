/**
 * Field rules of one connection: per entity type, the fields the user may read but not write
 * (`readOnly`) and the fields that never reach them (`hidden`, which are not writable either).
 * Rules only ever add up: a connection's policy grows as claims and callback answers arrive, and
 * a new token means a new connection with a fresh policy.
 */
import * as z from 'zod/mini';
import { EntityType, FieldName } from '../../protocol/index.js';

/** The rules for one entity type, as claims and callback answers carry them. */
export const FieldRulesInput = z.object({
  readOnly: z.optional(z.array(FieldName).check(z.maxLength(500))),
  hidden: z.optional(z.array(FieldName).check(z.maxLength(500))),
});

/** `{ "<entity type>": { readOnly?: [...], hidden?: [...] } }` */
export const FieldRulesByType = z.record(EntityType, FieldRulesInput);
export type FieldRulesByType = z.infer<typeof FieldRulesByType>;

interface TypeRules {
  readOnly: Set<string>;
  hidden: Set<string>;
}

export class FieldPolicy {
  private readonly byType = new Map<string, TypeRules>();
  /** Changes whenever a rule is added; redacted broadcast frames are cached per key. */
  private version = 0;
  private cachedKey: string | undefined;

  /** Adds rules (a union with what is already there). */
  merge(rules: FieldRulesByType | undefined): void {
    if (!rules) return;
    for (const [type, input] of Object.entries(rules)) {
      let own = this.byType.get(type);
      if (!own) {
        own = { readOnly: new Set(), hidden: new Set() };
        this.byType.set(type, own);
      }
      for (const field of input.readOnly ?? []) {
        if (!own.readOnly.has(field)) {
          own.readOnly.add(field);
          this.version++;
        }
      }
      for (const field of input.hidden ?? []) {
        if (!own.hidden.has(field)) {
          own.hidden.add(field);
          this.version++;
        }
      }
    }
    this.cachedKey = undefined;
  }

  /** Whether no rule hides or protects any field (then nothing needs redacting). */
  get empty(): boolean {
    return this.version === 0;
  }

  /** The hidden fields of a type, or undefined when none are. */
  hidden(type: string): ReadonlySet<string> | undefined {
    const hidden = this.byType.get(type)?.hidden;
    return hidden && hidden.size > 0 ? hidden : undefined;
  }

  /** Fields of a type the user sees but may not change, for the client (hidden ones are absent). */
  readOnly(type: string): string[] {
    const own = this.byType.get(type);
    if (!own) return [];
    return [...own.readOnly].filter((field) => !own.hidden.has(field)).sort();
  }

  /** The fields of a write the user may not make (read-only or hidden), sorted. */
  refused(type: string, fields: Readonly<Record<string, unknown>>): string[] {
    const own = this.byType.get(type);
    if (!own) return [];
    return Object.keys(fields)
      .filter((field) => own.readOnly.has(field) || own.hidden.has(field))
      .sort();
  }

  /** Identifies the hidden-field rules: two policies with one key redact a frame alike. */
  get key(): string {
    this.cachedKey ??= JSON.stringify(
      [...this.byType]
        .filter(([, rules]) => rules.hidden.size > 0)
        .map(([type, rules]) => [type, [...rules.hidden].sort()])
        .sort(([a], [b]) => (String(a) < String(b) ? -1 : 1)),
    );
    return this.cachedKey;
  }
}
