export * from './types';
export * from './defaults';
export * from './validate';
export * from './url';
export * from './diff';
export * from './compare';
export * from './labels';
export * from './lab';
