/**
 * Storybook for designers: every element in every state, live against the in-memory fake server,
 * no backend and no network. `npm run storybook` (dev) and `npm run storybook:build` (static).
 *
 * Lit's legacy decorators need `experimentalDecorators` and `useDefineForClassFields: false`;
 * Vite's TypeScript transform reads both from tsconfig.json, as in the library build.
 */
import type { StorybookConfig } from '@storybook/web-components-vite';

const config: StorybookConfig = {
  stories: ['../stories/**/*.stories.ts'],
  framework: { name: '@storybook/web-components-vite', options: {} },
  // Nothing that needs the network: controls, actions, toolbars and viewports are built in;
  // addon-docs renders each element's docs page from the custom-elements manifest.
  addons: ['@storybook/addon-docs'],
  core: { disableTelemetry: true, disableWhatsNewNotifications: true },
  typescript: { check: false },
};

export default config;
