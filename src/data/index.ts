export * from './rng';
export * from './twoD';
export * from './features';
export * from './normalize';
export * from './dataset';
