/** The wire protocol shared by the browser client, the reference server and the fake server. */
export * from './common.js';
export * from './errors.js';
export * from './frames.js';
export * from './parse.js';
export * from './json-shape.js';
export * from './entities.js';
export * from './own-field.js';
export * from './notifications.js';
export * from './activity.js';
export * from './calls.js';
