/**
 * Conflicts shown by the `<crm-conflict-dialog>` stories and used by its browser tests, so the two
 * never drift apart. Plain data: a customer record edited by the user while Ana saved it too.
 */
import type { FieldConflict, UserProfile } from '../src/protocol/index.js';

export const ANA: UserProfile = { id: 'u-ana', name: 'Ana Ortiz' };

export interface ConflictFixture {
  entityLabel: string;
  /** The user's version (the conflicted fields, plus other fields they changed). */
  localData: Record<string, unknown>;
  /** The stored version (what Ana saved). */
  remoteData: Record<string, unknown>;
  /** The values before both changes. */
  baseData: Record<string, unknown>;
  conflictedFields: string[];
  fieldLabels: Record<string, string>;
}

/** One field: the e-mail address, changed on both sides. */
export const oneField: ConflictFixture = {
  entityLabel: 'Customer Acme Corp',
  localData: { email: 'orders@acme.example' },
  remoteData: { email: 'purchasing@acme.example', name: 'Acme Corp', phone: '+44 113 496 0000' },
  baseData: { email: 'sales@acme.example' },
  conflictedFields: ['email'],
  fieldLabels: { email: 'E-mail' },
};

/** Several fields, one per JSON type, plus a non-conflicted change of the user's (`phone`). */
export const severalFields: ConflictFixture = {
  entityLabel: 'Customer Acme Corp',
  localData: {
    name: 'Acme Corporation',
    annualRevenue: 1_250_000,
    vip: true,
    tags: ['retail', 'emea', 'priority'],
    address: { street: '12 Harbour Road', city: 'Leeds', postcode: 'LS1 4AB' },
    renewalDate: '2025-06-30',
    notes: null,
    integrations: { erp: { id: 'AC-1001', syncedAt: '2024-05-02T09:30:00Z', fields: ['name'] } },
    phone: '+44 113 496 0123',
  },
  remoteData: {
    name: 'Acme Corp Ltd',
    annualRevenue: 1_310_000.5,
    vip: false,
    tags: ['retail', 'north-america'],
    address: { street: '40 Quay Street', city: 'Manchester', postcode: 'M3 3JE' },
    renewalDate: '2025-04-15',
    notes: 'Moved to the Manchester office.',
    integrations: {
      erp: { id: 'AC-1001', syncedAt: '2024-05-03T08:00:00Z', fields: ['name', 'vip'] },
    },
    phone: '+44 113 496 0000',
    owner: 'Ben Lee',
  },
  baseData: {
    name: 'Acme Corp',
    annualRevenue: 1_200_000,
    vip: null,
    tags: ['retail', 'emea'],
    address: { street: '12 Harbour Rd', city: 'Leeds', postcode: 'LS1 4AB' },
    renewalDate: '2025-03-31',
    notes: '',
    integrations: { erp: { id: 'AC-1001', syncedAt: '2024-05-01T17:00:00Z', fields: [] } },
  },
  conflictedFields: [
    'name',
    'annualRevenue',
    'vip',
    'tags',
    'address',
    'renewalDate',
    'notes',
    'integrations',
  ],
  fieldLabels: { annualRevenue: 'Annual revenue', vip: 'VIP', renewalDate: 'Renewal date' },
};

/** A long, multi-line note edited in two places on each side. */
export const longText: ConflictFixture = {
  entityLabel: 'Call with Acme Corp, 14 May',
  localData: {
    summary:
      'Discussed the renewal of the support contract for another two years.\n\n' +
      'Sarah asked for a discount of 10 % if they commit before the end of June, and for a ' +
      'dedicated account manager during the migration of their warehouse system.\n\n' +
      'Next step: send the revised quote by Friday and book a follow-up call with their CFO.',
  },
  remoteData: {
    summary:
      'Discussed the renewal of the support contract for another three years.\n\n' +
      'Sarah asked for a discount of 10 % if they commit before the end of June, and for a ' +
      'dedicated account manager during the migration of their warehouse system.\n\n' +
      'Next step: legal reviews the draft; send the revised quote next week.',
  },
  baseData: {
    summary:
      'Discussed the renewal of the support contract.\n\n' +
      'Sarah asked for a discount of 10 % if they commit before the end of June, and for a ' +
      'dedicated account manager during the migration of their warehouse system.\n\n' +
      'Next step: send the revised quote.',
  },
  conflictedFields: ['summary'],
  fieldLabels: { summary: 'Summary' },
};

/** Markup typed into a field: it must show as these characters, never become an element. */
export const HOSTILE = '<img src=x onerror="window.__pwned = true">';

/** The same one-field conflict as an `entity.conflict` answer lists it. */
export function oneFieldConflicts(changedAt: number): FieldConflict[] {
  return [
    {
      field: 'email',
      base: 'sales@acme.example',
      mine: 'orders@acme.example',
      theirs: 'purchasing@acme.example',
      changedBy: ANA,
      changedAt,
    },
  ];
}
