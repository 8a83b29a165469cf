import vue from '@vitejs/plugin-vue';
import { defineConfig } from 'vite';

export default defineConfig({
  plugins: [
    vue({
      template: {
        // The crm-* tags are custom elements, not Vue components: Vue leaves them to the browser
        // (registered by `import 'crm-realtime/define'` in main.ts).
        compilerOptions: { isCustomElement: (tag) => tag.startsWith('crm-') },
      },
    }),
  ],
});
