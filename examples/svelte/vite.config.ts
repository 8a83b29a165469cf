import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'vite';

// Svelte needs no setting for the crm-* tags: a tag with a dash is a custom element to it, left to
// the browser (registered by `import 'crm-realtime/define'` in main.ts).
export default defineConfig({ plugins: [svelte()] });
