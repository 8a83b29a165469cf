// Registers every crm-* tag. Import it before the app mounts, so Vue sees the elements' properties
// (`devUser`, `maxVisible`) and sets them as properties rather than attributes.
import 'crm-realtime/define';
import { createApp } from 'vue';
import App from './App.vue';

createApp(App).mount('#app');
