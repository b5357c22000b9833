import { describe, expect, test } from 'vitest';
import { allFinite, formatPerplexity } from '../src/ui/format';
import { formatMemory } from '../src/engine/memoryEstimate';

describe('numbers as the views print them', () => {
  test('a perplexity is e^loss, and a huge one is "> 10⁶", never "Infinity"', () => {
    expect(formatPerplexity(Math.log(27))).toBe('27.00');
    expect(formatPerplexity(Math.log(999_999))).toBe('999999.00');
    expect(formatPerplexity(20)).toBe('> 10⁶');
    expect(formatPerplexity(1000)).toBe('> 10⁶');
    expect(formatPerplexity(Infinity)).toBe('> 10⁶');
    expect(formatPerplexity(NaN)).toBe('not a number');
  });

  test('weights read back after a divergence are told apart from finite ones', () => {
    expect(allFinite([Float32Array.of(1, -2), null, [0]])).toBe(true);
    expect(allFinite([Float32Array.of(1, NaN)])).toBe(false);
    expect(allFinite([[1], Float32Array.of(-Infinity)])).toBe(false);
  });

  test('sizes in decimal units, with a decimal while the number is small', () => {
    expect([512, 1_536, 340_000, 12_500_000, 340_000_000, 1_230_000_000].map(formatMemory)).toEqual([
      '512 B',
      '1.5 KB',
      '340 KB',
      '12.5 MB',
      '340 MB',
      '1.2 GB',
    ]);
  });
});
