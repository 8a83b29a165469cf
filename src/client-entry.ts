/**
 * `crm-realtime/client`: the framework-free client and the protocol, without Lit or any element.
 * Safe to import in Node, in a Web Worker or during server-side rendering: nothing here touches
 * the DOM when it is imported (the client reaches for `WebSocket`, `document` and IndexedDB only
 * when it connects, and only where they exist).
 */
export * from './client/index.js';
export * from './protocol/index.js';
