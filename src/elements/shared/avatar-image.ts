/**
 * The picture of an avatar, as every element that shows people renders it: decorative (the name
 * is said next to it), never sending the page's address to the image's host, decoded off the main
 * thread, not draggable; a picture that fails to load is reported, so the element shows the
 * initials instead from then on.
 */
import { html, type TemplateResult } from 'lit';

/** `part` names the image for the element's styling API (`image`, `avatar-image`, …). */
export function avatarImage(
  src: string,
  part: string,
  onError: (src: string) => void,
): TemplateResult {
  return html`<img
    part=${part}
    class="image"
    src=${src}
    alt=""
    referrerpolicy="no-referrer"
    decoding="async"
    draggable="false"
    @error=${() => onError(src)}
  />`;
}
