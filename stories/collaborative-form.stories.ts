import type { Meta, StoryObj } from '@storybook/web-components-vite';
import { html, nothing, type TemplateResult } from 'lit';
import { fn } from 'storybook/test';
import {
  disposeAllStories,
  fakeBackend,
  storyScope,
  takeDown,
  track,
  type FakeBackend,
} from '../.storybook/fake-backend.js';
import '../src/elements/collaborative-form/define.js';
import type { CrmCollaborativeForm } from '../src/elements/collaborative-form/crm-collaborative-form.js';
import type { CollaborativeFormMessages } from '../src/elements/collaborative-form/form-messages.js';
import type { ConflictDialogMessages } from '../src/elements/conflict-dialog/conflict-messages.js';
import '../src/elements/realtime-provider/define.js';
import {
  BEN,
  CHLOE,
  CUSTOMER,
  DAVID,
  customerForm,
  formStyles,
  type FormText,
} from './collaborative-form.fixtures.js';

interface Args {
  saveMode: 'submit' | 'change';
  saveDelay: number;
  compact: boolean;
  entityLabel: string;
  lang: string;
  /** `rtl` for a right-to-left page. */
  dir: string;
  messages: Partial<CollaborativeFormMessages> | undefined;
  conflictMessages: Partial<ConflictDialogMessages> | undefined;
  /** The page's own words for its form (labels, choices, buttons); English when left out. */
  formText: FormText | undefined;
  onSave: (event: Event) => void;
  onSaved: (event: Event) => void;
  onConflict: (event: Event) => void;
  onError: (event: Event) => void;
  onRefused: (event: Event) => void;
}

const ROOM = 'customer:42';

/** What a story does once the form is on the page (the user's part, scripted). */
type Script = (form: CrmCollaborativeForm, backend: FakeBackend) => void;

/** Run `fn` after `ms` on real time, stopped with the story. */
function later(ms: number, fn: () => void): void {
  const handle = setTimeout(fn, ms);
  track({ stop: () => clearTimeout(handle) });
}

/** Type into a field as a user would (value, input, change). */
function typeInto(form: CrmCollaborativeForm, name: string, value: string): void {
  const input = form.querySelector<HTMLInputElement>(`[name="${name}"]`);
  if (!input) return;
  input.value = value;
  input.dispatchEvent(new Event('input', { bubbles: true }));
  input.dispatchEvent(new Event('change', { bubbles: true }));
}

const submit = (form: CrmCollaborativeForm) => form.querySelector('form')?.requestSubmit();

const card = (content: TemplateResult, args: Args) =>
  html`<div
    lang=${args.lang || nothing}
    dir=${args.dir || nothing}
    style="box-sizing: border-box; inline-size: min(46rem, 100vw - 2rem); padding: 1.5rem 1.5rem 1rem;
      border: 1px solid var(--crm-color-border); border-radius: 0.75rem;
      background: var(--crm-color-surface); box-shadow: var(--crm-shadow-s);"
  >
    ${formStyles}
    <h2 style="margin: 0 0 1.25rem; font: 600 1.0625rem/1.3 var(--crm-font-family);">
      ${args.entityLabel || 'Northwind Logistics'}
    </h2>
    ${content}
  </div>`;

/** `scroll`: the form scrolls inside a panel of that height, as in a dialog or a side sheet. */
const formOf = (args: Args, scroll?: string) =>
  html`<crm-collaborative-form
    entity-type="customer"
    entity-id="42"
    entity-label=${args.entityLabel || nothing}
    save-mode=${args.saveMode}
    save-delay=${args.saveDelay}
    ?compact=${args.compact}
    .messages=${args.messages}
    .conflictMessages=${args.conflictMessages}
    @crm-form-save=${args.onSave}
    @crm-form-saved=${args.onSaved}
    @crm-form-conflict=${args.onConflict}
    @crm-form-error=${args.onError}
    @crm-form-refused=${args.onRefused}
  >
    ${
      scroll
        ? html`<div
            tabindex="0"
            aria-label="Customer details"
            style="block-size: ${scroll}; overflow: auto; padding-inline-end: 0.75rem;
              border-block: 1px solid var(--crm-color-border);"
          >
            ${customerForm(undefined, args.formText)}
          </div>`
        : customerForm(undefined, args.formText)
    }
  </crm-collaborative-form>`;

/**
 * A story on its own fake server holding the customer: `setup` scripts the others before the form
 * joins, `script` plays the user's part once the form has loaded.
 */
const story =
  (setup: (backend: FakeBackend) => void = () => {}, script?: Script, scroll?: string) =>
  (args: Args, { id }: { id: string }): TemplateResult => {
    storyScope(id);
    const backend = fakeBackend('open');
    backend.server.entities.put(CUSTOMER);
    setup(backend);
    if (script) {
      later(600, () => {
        const form = document.querySelector<CrmCollaborativeForm>(
          '#storybook-root crm-collaborative-form, crm-collaborative-form',
        );
        if (form) script(form, backend);
      });
    }
    return card(
      html`<crm-realtime-provider .client=${backend.client}
        >${formOf(args, scroll)}</crm-realtime-provider
      >`,
      args,
    );
  };

const meta: Meta<Args> = {
  title: 'Live data/Collaborative form',
  component: 'crm-collaborative-form',
  tags: ['autodocs'],
  beforeEach: () => disposeAllStories,
  parameters: {
    layout: 'centered',
    docs: {
      description: {
        component:
          'A plain HTML form made collaborative by wrapping it: its fields show the live record, ' +
          'who else edits which field (a ring in their colour and their name on the field), save ' +
          'optimistically through live data, and a conflict opens the conflict dialog. Every ' +
          'story runs against the in-memory fake server, which applies the reference server’s ' +
          'concurrency rules.',
      },
      story: { inline: false, iframeHeight: 760 },
    },
  },
  argTypes: {
    saveMode: {
      name: 'save-mode',
      control: 'inline-radio',
      options: ['submit', 'change'],
      description: '`submit`: save on the form’s submit; `change`: shortly after each change.',
    },
    saveDelay: {
      name: 'save-delay',
      control: { type: 'number', min: 0, step: 100 },
      description: 'With `save-mode="change"`: how long after the last change the form saves (ms).',
    },
    compact: {
      control: 'boolean',
      description:
        'A quiet status line for small inline forms: shown only while something needs the user.',
    },
    entityLabel: {
      name: 'entity-label',
      control: 'text',
      description: 'What the form edits, for the conflict dialog.',
    },
    lang: { control: 'select', options: ['', 'en', 'de', 'fr', 'ar'] },
    dir: { control: 'inline-radio', options: ['', 'ltr', 'rtl'] },
    messages: { control: 'object', description: 'Replacements for the built-in texts.' },
    conflictMessages: {
      control: 'object',
      description: 'Replacements for the texts of the conflict dialog the form opens.',
    },
    formText: { table: { disable: true } },
    onSave: { table: { disable: true } },
    onSaved: { table: { disable: true } },
    onConflict: { table: { disable: true } },
    onError: { table: { disable: true } },
    onRefused: { table: { disable: true } },
  },
  args: {
    saveMode: 'submit',
    saveDelay: 400,
    compact: false,
    entityLabel: 'Northwind Logistics',
    lang: '',
    dir: '',
    messages: undefined,
    conflictMessages: undefined,
    formText: undefined,
    onSave: fn(),
    onSaved: fn(),
    onConflict: fn(),
    onError: fn(),
    onRefused: fn(),
  },
};
export default meta;

type Story = StoryObj<Args>;

/**
 * Live: Ben edits the email, Chloé the preferred channel; a moment later David changes the phone
 * number, which arrives with a brief highlight. Edit and save to see your own change confirmed.
 */
export const Live: Story = {
  render: story(({ server }) => {
    server.addPerson(ROOM, BEN, { activity: { kind: 'editing', field: 'email' } });
    server.addPerson(ROOM, CHLOE, { activity: { kind: 'editing', field: 'channel' } });
    later(2500, () =>
      server.entities.remoteUpdate('customer', '42', { phone: '+44 20 7946 0999' }, DAVID),
    );
  }),
};

/** Two people on one field: both names on it, the ring in the first one’s colour. */
export const SomeoneEditing: Story = {
  render: story(({ server }) => {
    server.addPerson(ROOM, BEN, { activity: { kind: 'editing', field: 'email' } });
    server.addPerson(ROOM, CHLOE, { activity: { kind: 'editing', field: 'notes' } });
    server.addPerson(ROOM, DAVID, { activity: { kind: 'editing', field: 'notes' } });
  }),
};

/**
 * The form scrolls inside a panel (a dialog body, a side sheet): the name tabs move with their
 * fields, and a field scrolled out of the panel shows no tab over the others.
 */
export const InAScrollingPanel: Story = {
  render: story(
    ({ server }) => {
      server.addPerson(ROOM, BEN, { activity: { kind: 'editing', field: 'email' } });
      server.addPerson(ROOM, CHLOE, { activity: { kind: 'editing', field: 'notes' } });
    },
    undefined,
    '18rem',
  ),
};

/** A save on its way: the field says "Saving…" until the (slow) server answers. */
export const Saving: Story = {
  render: story(
    () => {},
    (form, { server }) => {
      server.setLatency(60 * 60 * 1000);
      typeInto(form, 'value', '52000');
      submit(form);
    },
  ),
};

/**
 * Ben saved the same email while you typed yours: saving opens the conflict dialog, yours
 * preselected; Cancel keeps your edit in the form and "Resolve…" brings the dialog back.
 */
export const Conflict: Story = {
  render: story(
    () => {},
    (form, { server }) => {
      form.querySelector<HTMLInputElement>('[name="email"]')?.focus();
      typeInto(form, 'email', 'margaret.holloway@northwind.example');
      server.entities.remoteUpdate(
        'customer',
        '42',
        { email: 'procurement@northwind.example' },
        BEN,
      );
      setTimeout(() => submit(form), 100);
    },
  ),
};

/** Ben changed the email while you edited it, and you save: the conflict, both sides. */
function conflictOnEmail(form: CrmCollaborativeForm, { server }: FakeBackend): void {
  form.querySelector<HTMLInputElement>('[name="email"]')?.focus();
  typeInto(form, 'email', 'margaret.holloway@northwind.example');
  server.entities.remoteUpdate('customer', '42', { email: 'procurement@northwind.example' }, BEN);
  later(100, () => submit(form));
}

/**
 * In German: the form's texts through `messages`, the dialog it opens through `conflictMessages`
 * (it lives in the form's shadow root); dates, numbers and the relative time follow `lang`.
 */
export const Translated: Story = {
  args: {
    lang: 'de',
    messages: {
      upToDate: () => 'Aktuell',
      saving: () => 'Wird gespeichert …',
      saved: () => 'Gespeichert',
      conflict: () => 'Konflikt: Wähle, welche Fassung bleibt',
      resolve: () => 'Auflösen …',
      conflictTab: () => 'Konflikt',
      editorTab: (name) => name,
      conflictDescription: () =>
        'Jemand hat dieses Feld ebenfalls gespeichert: Wähle nach dem Formular mit „Auflösen“, ' +
        'welche Fassung bleibt.',
    },
    conflictMessages: {
      title: (count) =>
        count === 1 ? 'Deine Änderung steht im Konflikt' : 'Deine Änderungen stehen im Konflikt',
      description: ({ author, entity }) =>
        `${author || 'Jemand'} hat ${entity || 'diesen Datensatz'} gespeichert, während du ` +
        'bearbeitet hast. Wähle die Fassung, die bleiben soll.',
      mine: () => 'Deine',
      mineHint: () => 'Noch nicht gespeichert',
      theirs: () => 'Ihre',
      theirsHint: (author) => (author ? `Gespeichert von ${author}` : 'Gespeichert'),
      was: () => 'Vorher',
      savedAt: () => 'Gespeichert',
      save: () => 'Auswahl speichern',
      summary: (mine, theirs, c) => `${c.number(mine)} deine, ${c.number(theirs)} ihre`,
      cancel: () => 'Abbrechen',
    },
  },
  render: story(() => {}, conflictOnEmail),
};

/**
 * A right-to-left page in Arabic (`dir="rtl"` and `lang="ar"` on an ancestor): the names sit at
 * each field's top left, its inline end, the status line starts at the right, and numbers and
 * dates follow the language. The page's labels are its own; the form's texts come through
 * `messages`. People's names stay as they are written, isolated from the text around them.
 */
export const RightToLeft: Story = {
  args: {
    lang: 'ar',
    dir: 'rtl',
    entityLabel: 'نورثويند للخدمات اللوجستية',
    formText: {
      name: 'جهة الاتصال',
      email: 'البريد الإلكتروني',
      phone: 'الهاتف',
      status: 'الحالة',
      statuses: {
        Lead: 'عميل محتمل',
        Qualified: 'مؤهَّل',
        Customer: 'عميل',
        'At risk': 'معرَّض للخسارة',
      },
      value: 'القيمة السنوية',
      renewal: 'التجديد',
      channel: 'قناة التواصل المفضلة',
      channels: { email: 'البريد الإلكتروني', phone: 'الهاتف', visit: 'زيارة' },
      products: 'المنتجات',
      productNames: { fleet: 'الأسطول', tracking: 'التتبع', driver: 'تطبيق السائق' },
      regions: 'المناطق',
      regionNames: { uk: 'المملكة المتحدة', eu: 'الاتحاد الأوروبي', us: 'الولايات المتحدة' },
      rating: 'التقييم',
      vip: 'حساب رئيسي',
      notes: 'ملاحظات',
      reset: 'إعادة تعيين',
      save: 'حفظ',
    },
    messages: {
      loading: () => 'جارٍ التحميل…',
      upToDate: () => 'محدَّث',
      unsaved: (count, c) =>
        count === 1 ? 'تغيير غير محفوظ' : `تغييرات غير محفوظة: ${c.number(count)}`,
      saving: () => 'جارٍ الحفظ…',
      saved: () => 'تم الحفظ',
      savingTab: () => 'جارٍ الحفظ…',
      editingDescription: (names, c) => `${c.list(names)} يعدّل هذا الحقل الآن.`,
      joinedField: (name, field) => `${name} يعدّل ${field} أيضًا الآن.`,
      remoteChanged: (author, fields, c) => `غيّر ${author || 'شخص ما'}: ${c.list(fields)}`,
    },
  },
  render: story(({ server }) => {
    server.addPerson(ROOM, BEN, { activity: { kind: 'editing', field: 'email' } });
    server.addPerson(ROOM, CHLOE, { activity: { kind: 'editing', field: 'notes' } });
    server.addPerson(ROOM, DAVID, { activity: { kind: 'editing', field: 'notes' } });
  }),
};

/** The server refuses the save: the field shows the stored value again and the form says why. */
export const Refused: Story = {
  render: story(
    ({ server }) => {
      server.entities.authorize = (_user, _entity, access) => access === 'read';
    },
    (form) => {
      typeInto(form, 'phone', '+44 20 0000 0000');
      submit(form);
    },
  ),
};

/**
 * The user's permissions make some fields read-only (the snapshot's `readOnly`, from their token's
 * claim or the CRM's authorization callback): locked, and their labels say why to screen readers.
 */
export const ReadOnlyFields: Story = {
  render: story(({ server }) => {
    server.entities.readOnlyFields = () => ['value', 'status'];
  }),
};

/** Offline: saves wait in the outbox ("2 changes waiting offline") and go out on return. */
export const Offline: Story = {
  render: story(
    () => {},
    (form, backend) => {
      takeDown(backend);
      typeInto(form, 'status', 'Customer');
      submit(form);
      typeInto(form, 'notes', 'Signed for 140 drivers; kick-off next week.');
      submit(form);
    },
  ),
};

/**
 * Online, over the user's write budget (a long note saved twice within the minute): the second
 * save waits to be saved, "Trying again in …s" counting down beside the status to when the
 * server said the budget would hold it, the field says "Waiting to save", and it goes out then.
 * Never "offline".
 */
export const WaitingToSave: Story = {
  render: story(
    ({ server }) => server.setWriteBudget(3600),
    (form) => {
      const note = 'Signed for 140 drivers; kick-off next week. '.repeat(50);
      typeInto(form, 'notes', note);
      submit(form);
      later(300, () => {
        typeInto(form, 'notes', `${note}Rollout in two waves.`);
        submit(form);
      });
    },
  ),
};

/**
 * Online, the CRM's backend down for writes (a server with write-through, its backend answering
 * 503 with `Retry-After: 20`): the save waits, the status says the CRM did not answer with
 * "Trying again in …s" counting down beside it, the field says "Waiting to save"; the CRM is
 * back after 15 s and the save goes through at the next try.
 */
export const CrmDown: Story = {
  render: story(
    ({ server }) => server.setBackendDown(true, { retryAfterMs: 20_000 }),
    (form, backend) => {
      typeInto(form, 'notes', 'Signed for 140 drivers; kick-off next week.');
      submit(form);
      later(15_000, () => backend.server.setBackendDown(false));
    },
  ),
};

/**
 * The record holds a status the page's select has no option for ("Churned", added by another
 * team): the select shows it in a disabled option instead of a blank, the console says so once,
 * and saving other fields never sends the status back changed.
 */
export const UnlistedValue: Story = {
  render: story(({ server }) => {
    server.entities.put({ ...CUSTOMER, fields: { ...CUSTOMER.fields, status: 'Churned' } });
  }),
};

/**
 * The CRM deleted the record while you typed (its backend called `DELETE /api/entities/…`): the
 * form says the record no longer exists, saves nothing more and leaves what you typed in the
 * fields, for you to copy. Its Save button is dimmed and reads as unavailable; pressing it says
 * again why nothing is saved.
 */
export const RecordDeleted: Story = {
  render: story(
    () => {},
    (form, { server }) => {
      typeInto(form, 'notes', 'Call back on Monday about the renewal.');
      server.entities.remove('customer', '42');
    },
  ),
};

/** No provider: a plain form again; its own submit goes through as it always did. */
export const NotConnected: Story = {
  render: (args) => card(formOf(args), args),
};
