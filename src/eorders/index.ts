/**
 * @module eorders
 * Regulation (EU) 2023/1543: EPOC and EPOC-PR orders, their parties, clocks and certificates.
 */
export * from './certificates.js';
export * from './errors.js';
export * from './rules.js';
export * from './workflow.js';
export * from './providers.js';
export * from './service.js';
export * from './peer.js';
export * from './view.js';
export * from './documents.js';
export * from './signature.js';
