/**
 * Global design tokens: CSS custom properties `--crm-<category>-<name>` that every element of the
 * kit builds on, with a light default and a dark theme.
 *
 * Themes are set by attribute, on `<html>` or on any subtree (a dark page header in a light page):
 * - no attribute, or `data-crm-theme="light"`: light;
 * - `data-crm-theme="dark"`: dark;
 * - `data-crm-theme="auto"`: follows `prefers-color-scheme`.
 * The operating system's dark mode is followed only where a page opts in with `auto`: a legacy CRM
 * page that is light by design would otherwise get dark widgets on a dark desktop.
 *
 * Tokens are installed once per document by the `define` modules (`installTokens()`), in a sheet
 * of zero specificity (`:where(…)`), so any page rule such as `:root { --crm-color-accent: … }`
 * overrides them whatever the order. Components read them through `token()`, which carries the
 * light value as a fallback: an element still looks right in a page where nothing installed them.
 *
 * The same sheet ships as `tokens.css` (`crm-realtime/tokens.css`, `dist/kit/tokens.css`). A page
 * that links it in its `<head>` has the tokens, its theme and the provider's `display` from the
 * first paint, and the kit then adds nothing: installing the sheet later restyles every element
 * of the page, since custom properties on `:root` are inherited by all of them.
 */
import { css, unsafeCSS, type CSSResult } from 'lit';

/** Tokens that do not change with the theme. */
const base = {
  'space-3xs': '0.125rem',
  'space-2xs': '0.25rem',
  'space-xs': '0.375rem',
  'space-s': '0.5rem',
  'space-m': '0.75rem',
  'space-l': '1rem',
  'space-xl': '1.5rem',
  'space-2xl': '2rem',

  'radius-s': '0.25rem',
  'radius-m': '0.375rem',
  'radius-l': '0.5rem',
  'radius-xl': '0.75rem',
  'radius-pill': '999px',

  'font-family':
    'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, "Noto Sans", sans-serif',
  'font-family-mono': 'ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace',
  'font-size-2xs': '0.6875rem',
  'font-size-xs': '0.75rem',
  'font-size-s': '0.8125rem',
  'font-size-m': '0.875rem',
  'font-size-l': '1rem',
  'font-size-xl': '1.25rem',
  'font-weight-regular': '400',
  'font-weight-medium': '500',
  'font-weight-semibold': '600',
  'font-line-height-tight': '1.25',
  'font-line-height-normal': '1.5',

  'focus-ring-width': '2px',
  'focus-ring-offset': '2px',

  'duration-fast': '120ms',
  'duration-medium': '200ms',
  'duration-slow': '320ms',
  'easing-standard': 'cubic-bezier(0.2, 0, 0, 1)',
  'easing-emphasized': 'cubic-bezier(0.3, 0, 0, 1.3)',

  'z-dropdown': '1000',
  'z-overlay': '1100',
  'z-toast': '1200',
} as const;

/**
 * Colours and shadows of the light theme. Semantic colours come in three strengths: the plain one
 * for dots and fills (at least 3:1 against the surface), `-text` for text (at least 4.5:1 on the
 * surface and on `-subtle`), and `-subtle` for tinted backgrounds.
 */
const light = {
  'color-surface': '#ffffff',
  'color-surface-raised': '#ffffff',
  'color-surface-sunken': '#f5f6f8',
  'color-surface-hover': '#eef0f3',
  'color-text': '#1c2026',
  'color-text-muted': '#5b6472',
  'color-border': '#d8dce2',
  'color-border-strong': '#a9b0ba',
  'color-accent': '#2563eb',
  'color-accent-hover': '#1d4ed8',
  'color-accent-contrast': '#ffffff',
  'color-accent-subtle': '#e8effd',
  'color-success': '#1f9d55',
  'color-success-text': '#136c3a',
  'color-success-subtle': '#e6f4ea',
  'color-warning': '#d97706',
  'color-warning-text': '#92400e',
  'color-warning-subtle': '#fdf3e1',
  'color-danger': '#dc2626',
  'color-danger-text': '#b91c1c',
  'color-danger-subtle': '#fdecec',
  'color-info': '#2563eb',
  'color-info-text': '#1d4ed8',
  'color-info-subtle': '#e8effd',
  'color-neutral': '#8a94a3',
  'color-neutral-text': '#4b5563',
  'color-neutral-subtle': '#eff1f4',
  'color-focus-ring': '#2563eb',
  'color-backdrop': 'rgb(16 24 40 / 0.45)',
  'shadow-s': '0 1px 2px rgb(16 24 40 / 0.06), 0 1px 3px rgb(16 24 40 / 0.1)',
  'shadow-m': '0 4px 8px -2px rgb(16 24 40 / 0.1), 0 2px 4px -2px rgb(16 24 40 / 0.06)',
  'shadow-l': '0 12px 16px -4px rgb(16 24 40 / 0.1), 0 4px 6px -2px rgb(16 24 40 / 0.05)',
} as const;

/** The dark theme: same names, values tuned for a dark surface (contrast checked like the light). */
const dark: Record<keyof typeof light, string> = {
  'color-surface': '#16191e',
  'color-surface-raised': '#1f2329',
  'color-surface-sunken': '#101216',
  'color-surface-hover': '#272c33',
  'color-text': '#e6e9ee',
  'color-text-muted': '#a3acb9',
  'color-border': '#343a43',
  'color-border-strong': '#4d5561',
  'color-accent': '#6b9bff',
  'color-accent-hover': '#8fb3ff',
  'color-accent-contrast': '#0b1220',
  'color-accent-subtle': '#1c2a4a',
  'color-success': '#34c472',
  'color-success-text': '#5fd896',
  'color-success-subtle': '#12301f',
  'color-warning': '#f0a53a',
  'color-warning-text': '#f6c06f',
  'color-warning-subtle': '#3a2a10',
  'color-danger': '#f06464',
  'color-danger-text': '#ff8f8f',
  'color-danger-subtle': '#3d1a1a',
  'color-info': '#6b9bff',
  'color-info-text': '#94b6ff',
  'color-info-subtle': '#1c2a4a',
  'color-neutral': '#7c8594',
  'color-neutral-text': '#b0b8c4',
  'color-neutral-subtle': '#262b33',
  'color-focus-ring': '#8fb3ff',
  'color-backdrop': 'rgb(0 0 0 / 0.6)',
  'shadow-s': '0 1px 2px rgb(0 0 0 / 0.4), 0 1px 3px rgb(0 0 0 / 0.3)',
  'shadow-m': '0 4px 8px -2px rgb(0 0 0 / 0.5), 0 2px 4px -2px rgb(0 0 0 / 0.4)',
  'shadow-l': '0 12px 16px -4px rgb(0 0 0 / 0.55), 0 4px 6px -2px rgb(0 0 0 / 0.4)',
};

/** Every token name, without the `--crm-` prefix. */
export type TokenName = keyof typeof base | keyof typeof light;

/** The default (light) value of every token. */
export const tokenDefaults: Readonly<Record<TokenName, string>> = Object.freeze({
  ...base,
  ...light,
});

/** The dark theme's colour and shadow values. */
export const darkTokens: Readonly<Record<keyof typeof light, string>> = Object.freeze(dark);

/**
 * A token for a component's styles: `var(--crm-<name>, <light default>)`.
 * Use it in `css` templates: `color: ${token('color-text')};`.
 */
export function token(name: TokenName): CSSResult {
  return unsafeCSS(`var(--crm-${name}, ${tokenDefaults[name]})`);
}

const declarations = (values: Readonly<Record<string, string>>): string =>
  Object.entries(values)
    .map(([name, value]) => `  --crm-${name}: ${value};`)
    .join('\n');

/** Declared only by the kit's sheet: a document whose root has it already holds the sheet. */
const SHEET_MARKER = '--crm-tokens';

/**
 * The document-level sheet: tokens on `:root`, themes on `[data-crm-theme]` subtrees, and the
 * provider's `display: contents` (it has no shadow root to carry it).
 */
export const tokensCssText = `:where(crm-realtime-provider) {
  display: contents;
}
:where(crm-realtime-provider[hidden]) {
  display: none;
}
:where(:root) {
  ${SHEET_MARKER}: 1;
${declarations(tokenDefaults)}
}
:where([data-crm-theme='light']) {
  color-scheme: light;
${declarations(light)}
}
:where([data-crm-theme='dark']) {
  color-scheme: dark;
${declarations(dark)}
}
@media (prefers-color-scheme: dark) {
  :where([data-crm-theme='auto']) {
    color-scheme: dark;
${declarations(dark)}
  }
}
`;

/** The same sheet as a Lit `CSSResult`, for shadow roots and Storybook. */
export const tokenStyles: CSSResult = css`
  ${unsafeCSS(tokensCssText)}
`;

const INSTALLED = Symbol.for('crm-realtime/tokens');

/**
 * Put the token sheet into a document (or shadow root) once; later calls, and calls from another
 * copy of the kit, do nothing, and so does a document that already has it (a linked
 * `tokens.css`). Uses a constructed, adopted sheet where supported, `<style>` else.
 */
export function installTokens(root: Document | ShadowRoot | undefined = globalThis.document): void {
  if (!root) return;
  const holder = root as (Document | ShadowRoot) & { [INSTALLED]?: true };
  if (holder[INSTALLED]) return;
  holder[INSTALLED] = true;
  // Compared by node type, not `instanceof`: the document of a frame has another `Document`.
  const isDocument = root.nodeType === 9;
  const doc = isDocument ? (root as Document) : (root as ShadowRoot).ownerDocument;
  const view = doc.defaultView;
  if (isDocument && view && doc.documentElement) {
    const linked = view.getComputedStyle(doc.documentElement).getPropertyValue(SHEET_MARKER);
    if (linked !== '') return;
  }
  if (view && 'adoptedStyleSheets' in root && 'replaceSync' in view.CSSStyleSheet.prototype) {
    const sheet = new view.CSSStyleSheet();
    sheet.replaceSync(tokensCssText);
    root.adoptedStyleSheets = [sheet, ...root.adoptedStyleSheets];
    return;
  }
  const style = doc.createElement('style');
  style.dataset['crmTokens'] = '';
  style.textContent = tokensCssText;
  (isDocument ? (doc.head ?? doc.documentElement) : root).prepend(style);
}
