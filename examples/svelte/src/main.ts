// Registers every crm-* tag. Import it before mount(), so Svelte sees the elements' properties
// (`devUser`, `maxVisible`) and sets them as properties rather than attributes.
import 'crm-realtime/define';
import { mount } from 'svelte';
import App from './App.svelte';

mount(App, { target: document.getElementById('app')! });
