// Registers every crm-* tag (React 19 then sets their properties and listens to their events).
import 'crm-realtime/define';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import './app.css';

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
