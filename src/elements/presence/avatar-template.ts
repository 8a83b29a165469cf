/**
 * The markup of one avatar: a picture when the profile has a safe URL (initials if it fails to
 * load), otherwise initials on the user's colour; the status dot; the pencil of someone editing.
 * Shared by the avatar row and the list of everyone.
 */
import { html, nothing, type TemplateResult } from 'lit';
import type { Person } from '../../client/types.js';
import { avatarColor, initials, safeAvatarUrl } from '../shared/avatar.js';
import { avatarImage } from '../shared/avatar-image.js';
import { styleProps } from '../shared/style-props.js';

export interface AvatarOptions {
  /** Language for upper-casing initials. */
  locale: string;
  /** URLs that failed to load once; they show initials instead. */
  broken: ReadonlySet<string>;
  /** Called when a picture fails to load. */
  onImageError(url: string): void;
}

/** A pencil (Heroicons "pencil", mini, MIT). */
const pencil = html`<svg viewBox="0 0 20 20" aria-hidden="true" focusable="false">
  <path
    fill="currentColor"
    d="M2.695 14.763l-1.262 3.154a.5.5 0 0 0 .65.65l3.155-1.262a4 4 0 0 0 1.343-.885L17.5 5.5a2.121 2.121 0 0 0-3-3L3.58 13.42a4 4 0 0 0-.885 1.343Z"
  />
</svg>`;

/** The inside of an avatar; the caller supplies the outer element with its role and focus. */
export function avatarContent(person: Person, options: AvatarOptions): TemplateResult {
  const url = safeAvatarUrl(person.user.avatarUrl);
  const picture = url !== undefined && !options.broken.has(url) ? url : undefined;
  return html`<span part="face" class="face"
      >${
        picture
          ? avatarImage(picture, 'image', (src) => options.onImageError(src))
          : html`<span part="initials" aria-hidden="true"
              >${initials(person.user.name, options.locale)}</span
            >`
      }</span
    ><span part="status status-${person.status}" class="status" data-status=${person.status}></span
    >${
      person.activity.kind === 'editing'
        ? html`<span part="editing" class="badge">${pencil}</span>`
        : nothing
    }`;
}

/** The inline style that gives an avatar its colour. */
export function avatarStyle(person: Person) {
  return styleProps({ '--_avatar-bg': avatarColor(person.user.id) });
}
