// Libraries the bench compares against that ship no types: what they export is \`any\`.
declare module 'convnetjs';
declare module 'brain.js';
