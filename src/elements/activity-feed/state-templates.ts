/**
 * What the feed shows instead of items: placeholders while the first page loads (inside a busy
 * `role="feed"`, as the pattern asks), the empty feed (with "Clear filters" when filtered) and a
 * failed first load (with "Try again").
 */
import { html, nothing, svg, type TemplateResult } from 'lit';

const skeletonRow = html`<div class="skeleton" aria-hidden="true">
  <span class="bone circle"></span>
  <span class="lines">
    <span class="bone line"></span>
    <span class="bone line"></span>
  </span>
</div>`;

const inboxIcon = svg`<svg viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="1.5"
  stroke-linecap="round" stroke-linejoin="round" aria-hidden="true" focusable="false">
  <path d="M3.5 13.5l2.6-7.2A2 2 0 0 1 8 5h8a2 2 0 0 1 1.9 1.3l2.6 7.2V18a1.5 1.5 0 0 1-1.5 1.5H5A1.5 1.5 0 0 1 3.5 18z" />
  <path d="M3.5 13.5H8l1.5 2.5h5l1.5-2.5h4.5" />
</svg>`;

const warningIcon = svg`<svg viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="1.5"
  stroke-linecap="round" stroke-linejoin="round" aria-hidden="true" focusable="false">
  <path d="M12 4.5l8.5 15h-17z" /><path d="M12 10v4M12 17h.01" />
</svg>`;

/** The first page is on its way: a busy, labelled feed with three placeholder rows. */
export function skeletonTemplate(label: string, loading: string): TemplateResult {
  return html`<div part="feed" class="feed" role="feed" aria-label=${label} aria-busy="true">
      ${skeletonRow}${skeletonRow}${skeletonRow}
    </div>
    <p class="visually-hidden">${loading}</p>`;
}

export function emptyTemplate(
  text: string,
  clear: string | undefined,
  onClear: () => void,
  loading: boolean,
): TemplateResult {
  return html`<div part="state" class="state" aria-busy=${loading ? 'true' : 'false'}>
    ${inboxIcon}
    <p dir="auto">${text}</p>
    ${
      clear
        ? html`<button part="clear" class="action" type="button" @click=${onClear}>
            ${clear}
          </button>`
        : nothing
    }
  </div>`;
}

export function errorTemplate(text: string, retry: string, onRetry: () => void): TemplateResult {
  return html`<div part="state" class="state">
    ${warningIcon}
    <p dir="auto">${text}</p>
    <button part="retry" class="action" type="button" @click=${onRetry}>${retry}</button>
  </div>`;
}
