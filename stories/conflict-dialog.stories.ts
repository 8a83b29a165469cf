import type { Meta, StoryObj } from '@storybook/web-components-vite';
import { html, nothing } from 'lit';
import { fn } from 'storybook/test';
import type { ConflictDialogMessages } from '../src/elements/conflict-dialog/conflict-messages.js';
import type { ConflictAuthor } from '../src/elements/conflict-dialog/crm-conflict-dialog.js';
import '../src/elements/conflict-dialog/define.js';
import {
  ANA,
  longText,
  oneField,
  severalFields,
  type ConflictFixture,
} from './conflict-dialog.fixtures.js';

interface Args extends ConflictFixture {
  open: boolean;
  remoteAuthor: ConflictAuthor | undefined;
  /** How long ago Ana saved, in minutes (the story turns it into `remoteChangedAt`). */
  minutesAgo: number;
  /** `page`: follow the toolbar's theme (`data-crm-theme` on `<html>`). */
  theme: 'page' | 'light' | 'dark';
  lang: string;
  messages: Partial<ConflictDialogMessages> | undefined;
  onResolve: (event: Event) => void;
  onCancel: (event: Event) => void;
}

const reopen = (event: Event) => {
  const dialog = (event.currentTarget as HTMLElement).parentElement?.querySelector(
    'crm-conflict-dialog',
  );
  if (dialog) dialog.open = true;
};

const meta: Meta<Args> = {
  title: 'Live data/Conflict dialog',
  component: 'crm-conflict-dialog',
  tags: ['autodocs'],
  parameters: {
    layout: 'fullscreen',
    // A modal takes the whole page: each story gets its own frame in the docs page.
    docs: { story: { inline: false, iframeHeight: 640 } },
  },
  argTypes: {
    open: { control: 'boolean' },
    entityLabel: { control: 'text' },
    minutesAgo: { control: { type: 'range', min: 0, max: 60 * 24 * 3, step: 1 } },
    theme: { control: 'inline-radio', options: ['page', 'light', 'dark'] },
    lang: { control: 'select', options: ['en', 'de', 'fr', 'ja', 'ar'] },
    localData: { control: 'object' },
    remoteData: { control: 'object' },
    baseData: { control: 'object' },
    conflictedFields: { control: 'object' },
    fieldLabels: { control: 'object' },
    remoteAuthor: { control: 'object' },
    messages: { control: false },
  },
  args: {
    ...oneField,
    open: true,
    remoteAuthor: ANA,
    minutesAgo: 3,
    theme: 'page',
    lang: 'en',
    messages: undefined,
    onResolve: fn(),
    onCancel: fn(),
  },
  render: (args) =>
    html`<div
      data-crm-theme=${args.theme === 'page' ? nothing : args.theme}
      lang=${args.lang}
      dir=${args.lang === 'ar' ? 'rtl' : 'ltr'}
      style="min-block-size: 100vh; padding: 1.5rem; box-sizing: border-box;
      background: var(--crm-color-surface-sunken); color: var(--crm-color-text);
      font-family: var(--crm-font-family);"
    >
      <button type="button" @click=${reopen}>Show the conflict</button>
      <crm-conflict-dialog
        ?open=${args.open}
        entity-label=${args.entityLabel}
        .localData=${args.localData}
        .remoteData=${args.remoteData}
        .baseData=${args.baseData}
        .conflictedFields=${args.conflictedFields}
        .fieldLabels=${args.fieldLabels}
        .remoteAuthor=${args.remoteAuthor}
        .remoteChangedAt=${Date.now() - args.minutesAgo * 60_000}
        .messages=${args.messages}
        @crm-conflict-resolve=${args.onResolve}
        @crm-conflict-cancel=${args.onCancel}
      ></crm-conflict-dialog>
    </div>`,
};
export default meta;

type Story = StoryObj<Args>;

/** The common case: one field, changed on both sides. */
export const OneField: Story = {};

/** A field of every JSON type: text, number, boolean, list, object, date, empty, deep JSON. */
export const SeveralFields: Story = { args: { ...severalFields, minutesAgo: 12 } };

/** A long multi-line note, edited in different places: the changed words are marked. */
export const LongText: Story = { args: { ...longText, minutesAgo: 47 } };

/** Without base values: changes are marked against the other side, and no "Was" line shows. */
export const WithoutBaseValues: Story = { args: { ...severalFields, baseData: {} } };

/** The dark theme, by tokens alone. */
export const Dark: Story = { args: { ...severalFields, theme: 'dark' } };

/** Someone unknown, some time ago: the texts fall back gracefully. */
export const UnknownAuthor: Story = {
  args: { ...oneField, remoteAuthor: undefined, entityLabel: '', minutesAgo: 60 * 26 },
};

/** In German, with translated texts; dates, numbers and the relative time follow `lang`. */
export const Translated: Story = {
  args: {
    ...severalFields,
    lang: 'de',
    messages: {
      title: (count) =>
        count === 1 ? 'Deine Änderung steht im Konflikt' : 'Deine Änderungen stehen im Konflikt',
      description: ({ author, entity }) =>
        `${author || 'Jemand'} hat ${entity || 'diesen Datensatz'} gespeichert, während du ` +
        'bearbeitet hast. Wähle für jedes Feld die Fassung, die bleiben soll.',
      mine: () => 'Deine',
      mineHint: () => 'Noch nicht gespeichert',
      theirs: () => 'Ihre',
      theirsHint: (author) => (author ? `Gespeichert von ${author}` : 'Gespeichert'),
      was: () => 'Vorher',
      empty: () => 'Leer',
      yes: () => 'Ja',
      no: () => 'Nein',
      savedAt: () => 'Gespeichert',
      save: () => 'Auswahl speichern',
      summary: (mine, theirs, c) => `${c.number(mine)} deine, ${c.number(theirs)} ihre`,
      keepAllMine: () => 'Alle meine behalten',
      takeAllTheirs: () => 'Alle ihre übernehmen',
      cancel: () => 'Abbrechen',
    },
  },
};
