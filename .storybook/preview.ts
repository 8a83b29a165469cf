/**
 * Every story renders on the kit's tokens, with a toolbar switch between the light theme, the
 * dark theme and the system's choice (`data-crm-theme` on `<html>`, as a page would set it).
 */
import type { Preview } from '@storybook/web-components-vite';
import { setCustomElementsManifest } from '@storybook/web-components-vite';
import { installTokens } from '../src/styles/tokens.js';
import { oneRowPerName } from './arg-types.js';

installTokens();

// Docs pages and controls come from the manifest `npm run manifest` writes from the JSDoc headers.
// A glob, not an import: the file is generated, and a fresh clone typechecks before it exists.
const manifests = import.meta.glob<object>('../custom-elements.json', {
  eager: true,
  import: 'default',
});
const manifest = Object.values(manifests)[0];
if (manifest) setCustomElementsManifest(manifest);

const canvas = document.createElement('style');
canvas.textContent = `
  html { background: var(--crm-color-surface-sunken); }
  body {
    margin: 0;
    color: var(--crm-color-text);
    background: var(--crm-color-surface-sunken);
    font-family: var(--crm-font-family);
    transition: background-color 200ms;
  }
  /* A centred story is never wider than a phone's screen: the canvas shrinks to it, and elements
     that shrink (a status pill cutting its label short, a feed of max-width 100%) follow. */
  .sb-main-centered #storybook-root {
    max-inline-size: 100%;
    min-inline-size: 0;
  }
`;
document.head.append(canvas);

type Theme = 'light' | 'dark' | 'auto';

const preview: Preview = {
  globalTypes: {
    theme: {
      description: 'Colour theme of the kit (data-crm-theme)',
      toolbar: {
        title: 'Theme',
        icon: 'paintbrush',
        items: [
          { value: 'light', title: 'Light', icon: 'sun' },
          { value: 'dark', title: 'Dark', icon: 'moon' },
          { value: 'auto', title: 'Follow the system', icon: 'mirror' },
        ],
        dynamicTitle: true,
      },
    },
  },
  initialGlobals: { theme: 'light' },
  // After the framework's, which adds the manifest's rows to the story's controls.
  argTypesEnhancers: [({ argTypes }) => (argTypes ? oneRowPerName(argTypes) : argTypes)],
  decorators: [
    (story, context) => {
      const theme = (context.globals['theme'] as Theme | undefined) ?? 'light';
      document.documentElement.dataset['crmTheme'] = theme;
      return story();
    },
  ],
  parameters: {
    layout: 'centered',
    controls: { expanded: true, sort: 'requiredFirst' },
    backgrounds: { disable: true },
    options: {
      storySort: { order: ['Connection', 'Presence', 'Live data', '*'] },
    },
  },
};

export default preview;
