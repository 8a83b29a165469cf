/**
 * Field rules of one connection: per entity type, the fields the user may read but not write
 * (`readOnly`) and the fields that never reach them (`hidden`, which are not writable either).
 * The token's claim sets rules for the connection's life; the authorization callback's answers
 * add to them as they arrive. When the user's permissions change (`permissions-changed`), the
 * callback is asked again (`startRecheck`) and, once every answer of that re-check is in
 * (`finishRecheck`), the callback's rules become those of the answers since it started: a field
 * shown again by the backend is shown again. Until then the old and the new rules both apply, so
 * nothing hidden by either reaches the user while the answers come in.
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

type Rules = Map<string, TypeRules>;

/** Adds `input` to `rules`; true when a rule was not there yet. */
function add(rules: Rules, input: FieldRulesByType): boolean {
  let added = false;
  for (const [type, fields] of Object.entries(input)) {
    let own = rules.get(type);
    if (!own) rules.set(type, (own = { readOnly: new Set(), hidden: new Set() }));
    for (const field of fields.readOnly ?? []) {
      if (own.readOnly.has(field)) continue;
      own.readOnly.add(field);
      added = true;
    }
    for (const field of fields.hidden ?? []) {
      if (own.hidden.has(field)) continue;
      own.hidden.add(field);
      added = true;
    }
  }
  return added;
}

function plain(rules: Rules): FieldRulesByType {
  const out: FieldRulesByType = {};
  for (const [type, own] of rules) {
    out[type] = { readOnly: [...own.readOnly], hidden: [...own.hidden] };
  }
  return out;
}

function sameSet(a: ReadonlySet<string> | undefined, b: ReadonlySet<string> | undefined): boolean {
  const x = a?.size ?? 0;
  if (x !== (b?.size ?? 0)) return false;
  if (x === 0) return true;
  for (const item of a!) if (!b!.has(item)) return false;
  return true;
}

export class FieldPolicy {
  /** What applies now: the claim's rules and the callback's. */
  private byType: Rules = new Map();
  /** The claim's rules, which only a new token changes. */
  private readonly fixed: Rules = new Map();
  /** The callback's answers since the latest re-check started, while it runs. */
  private next: Rules | undefined;
  /** The rules when the latest re-check started. */
  private atStart: Rules = new Map();
  /** Identifies the latest re-check: an older one that finishes late changes nothing. */
  private recheck = 0;
  /** How many rules apply (none: nothing needs redacting). */
  private count = 0;
  private cachedKey: string | undefined;

  constructor(claim?: FieldRulesByType) {
    if (claim) {
      add(this.fixed, claim);
      this.merge(claim);
    }
  }

  /**
   * Adds rules (a callback's answer): a union with what is already there. An answer that arrives
   * during a re-check counts among its answers, even one to a question asked before it started:
   * the data it let through may reach the user after the re-check ends, and must stay redacted
   * (a field it hid stays hidden until the next re-check, the safe side).
   */
  merge(rules: FieldRulesByType | undefined): void {
    if (!rules) return;
    if (this.next) add(this.next, rules);
    if (add(this.byType, rules)) this.changed();
  }

  /** The callback is being asked again: its answers from now on make its rules once it is over. */
  startRecheck(): number {
    this.next = new Map();
    add(this.next, plain(this.fixed));
    this.atStart = new Map();
    add(this.atStart, plain(this.byType));
    return ++this.recheck;
  }

  /**
   * Every answer of re-check `id` is in: the rules become the claim's plus those answers' (and any
   * other answer since it started). Returns the entity types whose rules changed, sorted; none
   * when a later re-check started meanwhile (it decides).
   */
  finishRecheck(id: number): string[] {
    const next = this.next;
    if (id !== this.recheck || !next) return [];
    this.next = undefined;
    // Against the rules at the start and those in force at the end (answers meanwhile added to
    // them): what the client holds was redacted by either.
    const differs = (rules: Rules, type: string): boolean => {
      const a = rules.get(type);
      const b = next.get(type);
      return !sameSet(a?.hidden, b?.hidden) || !sameSet(a?.readOnly, b?.readOnly);
    };
    const types = new Set([...this.atStart.keys(), ...this.byType.keys(), ...next.keys()]);
    const changed = [...types].filter(
      (type) => differs(this.atStart, type) || differs(this.byType, type),
    );
    this.atStart = new Map();
    if (changed.length === 0) return [];
    this.byType = next;
    this.changed();
    return changed.sort();
  }

  /** The rules changed: redacted broadcast frames are cached per `key`, made again. */
  private changed(): void {
    let count = 0;
    for (const own of this.byType.values()) count += own.readOnly.size + own.hidden.size;
    this.count = count;
    this.cachedKey = undefined;
  }

  /** Whether no rule hides or protects any field (then nothing needs redacting). */
  get empty(): boolean {
    return this.count === 0;
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
