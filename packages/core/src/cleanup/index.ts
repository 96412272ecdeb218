/** Leak cleanup: who holds an object, whether its processes live, and the filters over every kind. */
export * from './activity.js';
export * from './holders.js';
export * from './objects.js';
export * from './processes.js';
export * from './select.js';
