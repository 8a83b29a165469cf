/**
 * The markup of the dialog's content: the line saying who saved the other version and when, one
 * conflicted field (its label, the value before, and the two versions as radio cards), and the
 * row of buttons.
 */
import { html, nothing, type TemplateResult } from 'lit';
import type { ConflictChoice } from '../../events/conflict-events.js';
import type { MessageContext } from '../../i18n.js';
import type { ConflictDialogMessages } from './conflict-messages.js';
import type { ValueFormatter } from '../shared/format-value.js';
import type { FieldValues } from './merge.js';
import { fieldValue } from '../../protocol/own-field.js';
import type { TimeText } from '../shared/relative-time.js';
import { valueTemplate } from './value-template.js';
import { avatarColor, initials, safeAvatarUrl } from '../shared/avatar.js';
import { avatarImage } from '../shared/avatar-image.js';
import { bdi, isolate } from '../shared/bidi.js';
import { styleProps } from '../shared/style-props.js';

/** Who made the remote change: a `UserProfile` or anything shaped like one. */
export interface ConflictAuthor {
  readonly id: string;
  readonly name: string;
  readonly avatarUrl?: string | undefined;
}

/**
 * "(AO) Ana Ortiz · Saved 3 minutes ago", or nothing when neither is known. The avatar is the one
 * the presence row and the activity feed show for the same person: the picture, or initials on
 * the colour of the user's id (and initials again if the picture fails to load).
 */
export function authorTemplate(
  author: ConflictAuthor | undefined,
  when: TimeText | undefined,
  m: ConflictDialogMessages,
  c: MessageContext,
  brokenImages: ReadonlySet<string>,
  onImageError: (src: string) => void,
): TemplateResult | typeof nothing {
  if (!author && !when) return nothing;
  const url = safeAvatarUrl(author?.avatarUrl);
  const avatar =
    url !== undefined && !brokenImages.has(url)
      ? avatarImage(url, 'avatar-image', onImageError)
      : initials(author?.name ?? '', c.locale);
  return html`<p part="author" class="author">
    ${
      author
        ? html`<span
              part="avatar"
              class="avatar"
              style=${styleProps({
                '--_avatar-bg': typeof author.id === 'string' ? avatarColor(author.id) : undefined,
              })}
              aria-hidden="true"
              >${avatar}</span
            ><span class="author-name">${bdi(author.name)}</span>`
        : nothing
    }
    ${
      when
        ? html`<span class="when"
            >${author ? html`<span class="dot" aria-hidden="true">·</span>` : nothing}${m.savedAt(c)}
            <time part="time" datetime=${when.datetime} title=${when.absolute} dir="auto"
              >${when.relative}</time
            ></span
          >`
        : nothing
    }
  </p>`;
}

export interface FieldTemplateInput {
  field: string;
  label: string;
  /** Position in the list: names the radio group and the ids (`f0-mine-title`, …). */
  index: number;
  local: FieldValues;
  remote: FieldValues;
  base: FieldValues;
  choice: ConflictChoice;
  authorName: string;
  format: ValueFormatter;
  m: ConflictDialogMessages;
  c: MessageContext;
  onChoose(field: string, side: ConflictChoice): void;
}

/** One conflicted field: a `<fieldset>` with the value before and a radio card per side. */
export function fieldTemplate(input: FieldTemplateInput): TemplateResult {
  const { field, index, local, remote, base, choice, format, m, c } = input;
  const hasBase = Object.prototype.hasOwnProperty.call(base, field);
  const empty = m.empty(c);
  // Changes are marked against the base when it is known, else against the other side.
  // Own fields only: `constructor` or `toString` are field names, not inherited members.
  const [mineValue, theirsValue] = [fieldValue(local, field), fieldValue(remote, field)];
  const baseValue = fieldValue(base, field);
  const mine = format.view(mineValue, { value: hasBase ? baseValue : theirsValue });
  const theirs = format.view(theirsValue, { value: hasBase ? baseValue : mineValue });
  const id = `f${index}`;
  // The hints ("Not saved yet", "Saved by Ana") say the same on every field: once is enough.
  const hinted = index === 0;
  const option = (side: ConflictChoice, title: string, hint: string, value: TemplateResult) => {
    const checked = choice === side;
    const ids = `${id}-${side}`;
    return html`<label
      part="option option-${side}${checked ? ' option-selected' : ''}"
      class="option ${side}"
      ?data-checked=${checked}
    >
      <span class="option-head">
        <input
          part="radio"
          type="radio"
          name=${id}
          value=${side}
          .checked=${checked}
          ?autofocus=${index === 0 && checked}
          aria-labelledby="${ids}-title"
          aria-describedby=${hinted ? `${ids}-hint ${ids}-value` : `${ids}-value`}
          @change=${() => input.onChoose(field, side)}
        />
        <span part="option-title" class="option-title" id="${ids}-title">${title}</span>
        ${
          hinted
            ? html`<span part="option-hint" class="option-hint" id="${ids}-hint">${hint}</span>`
            : nothing
        }
      </span>
      <span part="value" class="value" id="${ids}-value">${value}</span>
    </label>`;
  };
  return html`<fieldset
    part="field"
    class="field"
    aria-describedby=${hasBase ? `${id}-base` : nothing}
  >
    <legend part="field-label" class="field-label">${input.label}</legend>
    ${
      hasBase
        ? html`<p part="base" class="base" id="${id}-base">
            <span class="base-label" aria-hidden="true" data-label=${m.was(c)}></span
            ><span class="visually-hidden">${m.was(c)}</span>
            <span part="value" class="value">${valueTemplate(format.view(baseValue), empty)}</span>
          </p>`
        : nothing
    }
    <div part="options" class="options">
      ${option('mine', m.mine(c), m.mineHint(c), valueTemplate(mine, empty))}
      ${option(
        'theirs',
        m.theirs(c),
        m.theirsHint(isolate(input.authorName), c),
        valueTemplate(theirs, empty),
      )}
    </div>
  </fieldset>`;
}

export interface ActionsTemplateInput {
  /** Conflicted fields, and how many of them are set to mine. */
  count: number;
  mine: number;
  m: ConflictDialogMessages;
  c: MessageContext;
  onAll(side: ConflictChoice): void;
  onCancel(): void;
}

/**
 * "Keep all mine" and "Take all theirs" (from two fields up: with one, the cards say it all),
 * what will be saved, Cancel, and the primary button that submits the form.
 */
export function actionsTemplate(input: ActionsTemplateInput): TemplateResult {
  const { count, mine, m, c } = input;
  const several = count > 1;
  return html`<footer part="actions" class="actions">
    ${
      several
        ? html`<div class="bulk">
            <button
              type="button"
              part="button button-mine"
              class="button quiet"
              @click=${() => input.onAll('mine')}
            >
              ${m.keepAllMine(count, c)}
            </button>
            <button
              type="button"
              part="button button-theirs"
              class="button quiet"
              @click=${() => input.onAll('theirs')}
            >
              ${m.takeAllTheirs(count, c)}
            </button>
          </div>`
        : nothing
    }
    <div class="main">
      ${
        several
          ? html`<span part="summary" id="summary" class="summary"
              >${m.summary(mine, count - mine, c)}</span
            >`
          : nothing
      }
      <button
        type="button"
        part="button button-cancel"
        class="button secondary"
        @click=${input.onCancel}
      >
        ${m.cancel(c)}
      </button>
      <button
        type="submit"
        part="button button-primary"
        class="button primary"
        aria-describedby=${several ? 'summary' : nothing}
      >
        ${m.save(count, c)}
      </button>
    </div>
  </footer>`;
}
