// Seeded sample data of the demo CRM. A real CRM renders this on the server; the demo keeps it in
// one module so both pages agree. Dates are relative to today so the demo never looks stale.

const DAY = 24 * 60 * 60 * 1000;

/** @param {number} days @param {number} [hour] @param {number} [minute] */
function daysFromNow(days, hour = 10, minute = 0) {
  const d = new Date(Date.now() + days * DAY);
  d.setHours(hour, minute, 0, 0);
  return d.toISOString();
}

/**
 * A small illustrated portrait as an SVG data URL, so some people have "photos" without any
 * network request (avatar URLs may be `https:`, `http:` or `data:image/`).
 * @param {{ bg: string; skin: string; hair: string; shirt: string; long?: boolean }} look
 */
function portrait({ bg, skin, hair, shirt, long = false }) {
  const hairBack = long
    ? `<path d="M18 30c0-12 6-19 14-19s14 7 14 19v16H18z" fill="${hair}"/>`
    : '';
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64">` +
    `<rect width="64" height="64" fill="${bg}"/>${hairBack}` +
    `<path d="M10 64c2-13 11-19 22-19s20 6 22 19z" fill="${shirt}"/>` +
    `<rect x="28" y="36" width="8" height="10" rx="3" fill="${skin}"/>` +
    `<ellipse cx="32" cy="28" rx="11" ry="12.5" fill="${skin}"/>` +
    `<path d="M20.5 27c0-9 5-14.5 11.5-14.5S43.5 18 43.5 27c-3-5-8-7-11.5-7s-8.5 2-11.5 7z" fill="${hair}"/>` +
    `</svg>`;
  return `data:image/svg+xml,${encodeURIComponent(svg)}`;
}

/**
 * The people who use the CRM: who you can be in development mode. Some have a portrait, the
 * others show initials on a colour derived from their id.
 * @type {{ id: string; name: string; title: string; avatarUrl?: string }[]}
 */
export const PEOPLE = [
  {
    id: 'ana',
    name: 'Ana Souza',
    title: 'Account Executive',
    avatarUrl: portrait({
      bg: '#fde2cf',
      skin: '#c68863',
      hair: '#3b2417',
      shirt: '#4f46e5',
      long: true,
    }),
  },
  {
    id: 'ben',
    name: 'Ben Carter',
    title: 'Sales Manager',
    avatarUrl: portrait({ bg: '#d6ecf7', skin: '#f1c7a5', hair: '#a0642b', shirt: '#0f766e' }),
  },
  { id: 'chloe', name: 'Chloé Martin', title: 'Customer Success' },
  {
    id: 'david',
    name: 'David Okafor',
    title: 'Solutions Engineer',
    avatarUrl: portrait({ bg: '#e6e0f8', skin: '#8a5a3c', hair: '#1d1d1f', shirt: '#b45309' }),
  },
  { id: 'emma', name: 'Emma Lindqvist', title: 'Sales Development' },
];

/** @param {string | null | undefined} id */
export function findPerson(id) {
  return PEOPLE.find((p) => p.id === id);
}

/** @typedef {'Lead' | 'Qualified' | 'Customer' | 'At risk'} Status */

/**
 * @typedef {{
 *   id: number; name: string; title: string; company: string; email: string; phone: string;
 *   city: string; industry: string; owner: string; status: Status; value: number;
 *   lastContact: string; since: string; nextStep: string; notes: string;
 *   calls: { at: string; by: string; minutes: number; outcome: string; summary: string }[];
 *   meetings: { at: string; title: string; place: string; attendees: string[] }[];
 * }} Customer
 */

/** @type {Customer[]} */
export const CUSTOMERS = [
  {
    id: 42,
    name: 'Margaret Holloway',
    title: 'Head of Operations',
    company: 'Northwind Logistics',
    email: 'm.holloway@northwind-logistics.com',
    phone: '+44 20 7946 0321',
    city: 'London',
    industry: 'Logistics',
    owner: 'ana',
    status: 'Qualified',
    value: 48000,
    lastContact: daysFromNow(-1, 15, 30),
    since: daysFromNow(-96),
    nextStep: 'Send revised proposal with fleet tracking add-on',
    notes:
      'Evaluating us against two competitors. Cares most about the driver app working offline. ' +
      'Budget approved for Q3; procurement needs a security questionnaire.',
    calls: [
      {
        at: daysFromNow(-1, 15, 30),
        by: 'ana',
        minutes: 24,
        outcome: 'Follow-up',
        summary: 'Walked through pricing tiers; asked for a revised proposal with tracking.',
      },
      {
        at: daysFromNow(-8, 11, 0),
        by: 'david',
        minutes: 45,
        outcome: 'Demo',
        summary: 'Technical demo for the IT team; SSO and data export questions answered.',
      },
      {
        at: daysFromNow(-21, 9, 15),
        by: 'ana',
        minutes: 12,
        outcome: 'Discovery',
        summary: 'First call. 140 drivers, three depots, spreadsheets today.',
      },
    ],
    meetings: [
      {
        at: daysFromNow(3, 14, 0),
        title: 'Proposal review',
        place: 'Video call',
        attendees: ['ana', 'ben'],
      },
      {
        at: daysFromNow(12, 10, 30),
        title: 'On-site visit, Croydon depot',
        place: 'Croydon',
        attendees: ['ana', 'david'],
      },
      {
        at: daysFromNow(-15, 16, 0),
        title: 'Kick-off with procurement',
        place: 'Northwind HQ',
        attendees: ['ana'],
      },
    ],
  },
  {
    id: 7,
    name: 'Jonas Weber',
    title: 'CTO',
    company: 'Brightline Energy',
    email: 'jonas.weber@brightline.de',
    phone: '+49 30 901820',
    city: 'Berlin',
    industry: 'Energy',
    owner: 'ben',
    status: 'Customer',
    value: 126000,
    lastContact: daysFromNow(-3, 10, 0),
    since: daysFromNow(-410),
    nextStep: 'Renewal call in six weeks',
    notes: 'Happy customer; wants a reference call with other utilities. Expanding to Austria.',
    calls: [
      {
        at: daysFromNow(-3, 10, 0),
        by: 'ben',
        minutes: 30,
        outcome: 'Check-in',
        summary: 'Quarterly check-in; asked about the Austrian subsidiary rollout.',
      },
      {
        at: daysFromNow(-40, 14, 0),
        by: 'chloe',
        minutes: 18,
        outcome: 'Support',
        summary: 'Helped with a failing calendar sync; fixed on the call.',
      },
    ],
    meetings: [
      {
        at: daysFromNow(9, 11, 0),
        title: 'Expansion planning',
        place: 'Berlin office',
        attendees: ['ben', 'david'],
      },
      {
        at: daysFromNow(-60, 9, 30),
        title: 'Annual business review',
        place: 'Video call',
        attendees: ['ben', 'chloe'],
      },
    ],
  },
  {
    id: 13,
    name: 'Priya Raman',
    title: 'VP Sales',
    company: 'Lumen Health',
    email: 'priya@lumenhealth.io',
    phone: '+1 415 555 0142',
    city: 'San Francisco',
    industry: 'Healthcare',
    owner: 'ana',
    status: 'Lead',
    value: 22000,
    lastContact: daysFromNow(-6, 17, 0),
    since: daysFromNow(-9),
    nextStep: 'Book discovery call',
    notes: 'Inbound from the webinar. Team of 12 reps, currently on a spreadsheet-based pipeline.',
    calls: [
      {
        at: daysFromNow(-6, 17, 0),
        by: 'emma',
        minutes: 8,
        outcome: 'Qualification',
        summary: 'Confirmed budget holder and timeline (this quarter).',
      },
    ],
    meetings: [
      {
        at: daysFromNow(2, 16, 30),
        title: 'Discovery call',
        place: 'Video call',
        attendees: ['ana', 'emma'],
      },
    ],
  },
  {
    id: 18,
    name: 'Tomás Álvarez',
    title: 'Procurement Lead',
    company: 'Costa Verde Foods',
    email: 't.alvarez@costaverde.es',
    phone: '+34 91 123 4567',
    city: 'Madrid',
    industry: 'Food & Beverage',
    owner: 'chloe',
    status: 'At risk',
    value: 64000,
    lastContact: daysFromNow(-19, 12, 0),
    since: daysFromNow(-720),
    nextStep: 'Escalation meeting with their COO',
    notes:
      'Unhappy with report performance since the last migration. Contract ends in 2 months. ' +
      'Offer a dedicated success plan.',
    calls: [
      {
        at: daysFromNow(-19, 12, 0),
        by: 'chloe',
        minutes: 35,
        outcome: 'Complaint',
        summary: 'Reports take minutes to load; they are considering alternatives.',
      },
      {
        at: daysFromNow(-27, 10, 0),
        by: 'chloe',
        minutes: 15,
        outcome: 'Support',
        summary: 'Opened a ticket for slow exports.',
      },
      {
        at: daysFromNow(-90, 15, 0),
        by: 'ben',
        minutes: 20,
        outcome: 'Upsell',
        summary: 'Pitched the analytics package; postponed to next year.',
      },
    ],
    meetings: [
      {
        at: daysFromNow(5, 9, 0),
        title: 'Escalation with COO',
        place: 'Madrid',
        attendees: ['chloe', 'ben'],
      },
    ],
  },
  {
    id: 23,
    name: 'Aiko Tanaka',
    title: 'Director of IT',
    company: 'Kestrel Manufacturing',
    email: 'aiko.tanaka@kestrel-mfg.jp',
    phone: '+81 3 5555 0199',
    city: 'Osaka',
    industry: 'Manufacturing',
    owner: 'david',
    status: 'Qualified',
    value: 91000,
    lastContact: daysFromNow(-2, 8, 30),
    since: daysFromNow(-51),
    nextStep: 'Security review with their InfoSec team',
    notes: 'Needs data residency in Japan. Pilot with 40 users planned.',
    calls: [
      {
        at: daysFromNow(-2, 8, 30),
        by: 'david',
        minutes: 50,
        outcome: 'Technical',
        summary: 'Architecture review; data residency is a must-have.',
      },
      {
        at: daysFromNow(-14, 8, 0),
        by: 'david',
        minutes: 25,
        outcome: 'Discovery',
        summary: 'Mapped their quoting workflow and ERP integration.',
      },
    ],
    meetings: [
      {
        at: daysFromNow(6, 8, 0),
        title: 'Security review',
        place: 'Video call',
        attendees: ['david', 'ben'],
      },
      {
        at: daysFromNow(-30, 9, 0),
        title: 'Pilot scoping workshop',
        place: 'Osaka',
        attendees: ['david'],
      },
    ],
  },
  {
    id: 31,
    name: 'Olivia Bennett',
    title: 'Founder',
    company: 'Fernway Studio',
    email: 'olivia@fernway.studio',
    phone: '+61 2 9555 0123',
    city: 'Sydney',
    industry: 'Design',
    owner: 'emma',
    status: 'Lead',
    value: 6500,
    lastContact: daysFromNow(-11, 22, 0),
    since: daysFromNow(-12),
    nextStep: 'Send starter plan pricing',
    notes: 'Small team, wants something simple. Price sensitive.',
    calls: [
      {
        at: daysFromNow(-11, 22, 0),
        by: 'emma',
        minutes: 10,
        outcome: 'Qualification',
        summary: 'Five seats; wants month-to-month billing.',
      },
    ],
    meetings: [],
  },
  {
    id: 36,
    name: 'Samuel Osei',
    title: 'Operations Manager',
    company: 'Harbourline Shipping',
    email: 'samuel.osei@harbourline.com',
    phone: '+233 30 255 0100',
    city: 'Accra',
    industry: 'Logistics',
    owner: 'ben',
    status: 'Customer',
    value: 57000,
    lastContact: daysFromNow(-5, 13, 0),
    since: daysFromNow(-300),
    nextStep: 'Introduce the new customs module',
    notes: 'Good relationship. Interested in the customs module once it supports ECOWAS forms.',
    calls: [
      {
        at: daysFromNow(-5, 13, 0),
        by: 'ben',
        minutes: 22,
        outcome: 'Check-in',
        summary: 'All good; shared roadmap for the customs module.',
      },
      {
        at: daysFromNow(-33, 13, 0),
        by: 'chloe',
        minutes: 14,
        outcome: 'Onboarding',
        summary: 'Trained two new dispatchers.',
      },
    ],
    meetings: [
      {
        at: daysFromNow(15, 11, 0),
        title: 'Customs module preview',
        place: 'Video call',
        attendees: ['ben', 'david'],
      },
    ],
  },
  {
    id: 47,
    name: 'Lena Fischer',
    title: 'Head of Finance',
    company: 'Alpenblick Hotels',
    email: 'lena.fischer@alpenblick.at',
    phone: '+43 1 555 0199',
    city: 'Vienna',
    industry: 'Hospitality',
    owner: 'chloe',
    status: 'Customer',
    value: 38000,
    lastContact: daysFromNow(-9, 9, 0),
    since: daysFromNow(-540),
    nextStep: 'Invoice consolidation for 6 hotels',
    notes: 'Wants one invoice for all properties. Renewal is safe.',
    calls: [
      {
        at: daysFromNow(-9, 9, 0),
        by: 'chloe',
        minutes: 16,
        outcome: 'Billing',
        summary: 'Agreed to consolidate invoices from next month.',
      },
    ],
    meetings: [
      {
        at: daysFromNow(-45, 14, 0),
        title: 'Renewal negotiation',
        place: 'Vienna',
        attendees: ['chloe', 'ben'],
      },
    ],
  },
  {
    id: 52,
    name: 'Marcus Reid',
    title: 'Director of Sales Ops',
    company: 'Quantum Retail Group',
    email: 'marcus.reid@quantumretail.com',
    phone: '+1 212 555 0187',
    city: 'New York',
    industry: 'Retail',
    owner: 'ana',
    status: 'Qualified',
    value: 150000,
    lastContact: daysFromNow(0, 9, 45),
    since: daysFromNow(-70),
    nextStep: 'Legal review of the master agreement',
    notes: 'Largest open deal this quarter. 400 seats across 60 stores. Legal is slow.',
    calls: [
      {
        at: daysFromNow(0, 9, 45),
        by: 'ana',
        minutes: 28,
        outcome: 'Negotiation',
        summary: 'Agreed on seat pricing; waiting for legal redlines.',
      },
      {
        at: daysFromNow(-7, 16, 0),
        by: 'ben',
        minutes: 40,
        outcome: 'Executive',
        summary: 'Exec sponsor call with their CRO; strong fit confirmed.',
      },
      {
        at: daysFromNow(-25, 15, 0),
        by: 'david',
        minutes: 55,
        outcome: 'Demo',
        summary: 'Store-level reporting demo; asked for POS integration.',
      },
    ],
    meetings: [
      {
        at: daysFromNow(1, 15, 0),
        title: 'Legal redlines walkthrough',
        place: 'Video call',
        attendees: ['ana', 'ben'],
      },
      {
        at: daysFromNow(-18, 10, 0),
        title: 'Store visit, Brooklyn flagship',
        place: 'New York',
        attendees: ['ana', 'david'],
      },
    ],
  },
  {
    id: 58,
    name: 'Sofia Rossi',
    title: 'Marketing Director',
    company: 'Vela Cosmetics',
    email: 'sofia.rossi@velacosmetics.it',
    phone: '+39 02 5555 0133',
    city: 'Milan',
    industry: 'Consumer goods',
    owner: 'emma',
    status: 'Qualified',
    value: 29000,
    lastContact: daysFromNow(-4, 11, 0),
    since: daysFromNow(-33),
    nextStep: 'Trial for the marketing team',
    notes: 'Wants campaign attribution in the CRM. Trial for 10 users agreed.',
    calls: [
      {
        at: daysFromNow(-4, 11, 0),
        by: 'emma',
        minutes: 19,
        outcome: 'Follow-up',
        summary: 'Set up the trial workspace together.',
      },
      {
        at: daysFromNow(-16, 11, 0),
        by: 'ana',
        minutes: 26,
        outcome: 'Discovery',
        summary: 'Attribution and campaign ROI are their main pain points.',
      },
    ],
    meetings: [
      {
        at: daysFromNow(8, 10, 0),
        title: 'Trial check-in',
        place: 'Video call',
        attendees: ['emma', 'ana'],
      },
    ],
  },
];

/** @param {number} id */
export function findCustomer(id) {
  return CUSTOMERS.find((c) => c.id === id);
}
