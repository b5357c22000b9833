// Axes a person can read: round ticks, whole epochs, labels that differ, compact tooltips.
import { expect, test } from 'vitest';
import { formatValue, niceTicks, tickFormatter } from '../src/ui/ticks';

test('ticks are round values spanning the data', () => {
  expect(niceTicks(12, 1210, 4)).toEqual([0, 500, 1000, 1500]);
  expect(niceTicks(0, 1, 5)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
  expect(niceTicks(0.6, 1, 5)).toEqual([0.6, 0.7, 0.8, 0.9, 1]);
  expect(niceTicks(0.15201, 0.15249, 5)).toEqual([0.152, 0.1521, 0.1522, 0.1523, 0.1524, 0.1525]);
});

test('epoch axes tick on whole numbers only, even for a run of two epochs', () => {
  expect(niceTicks(1, 2.5, 5, true)).toEqual([1, 2, 3]);
  expect(niceTicks(1, 50, 5, true)).toEqual([0, 10, 20, 30, 40, 50]);
  for (const t of niceTicks(1, 7, 6, true)) expect(Number.isInteger(t)).toBe(true);
});

test('labels carry the decimals their step needs, so neighbouring ticks never read the same', () => {
  const ticks = niceTicks(0.15201, 0.15249, 5);
  const f = tickFormatter(ticks[1] - ticks[0]);
  const labels = ticks.map(f);
  expect(new Set(labels).size).toBe(labels.length);
  expect(labels[0]).toBe('0.1520');
  expect(tickFormatter(500)(1500)).toBe('1,500');
  expect(tickFormatter(1e-4)(5e-4)).toBe('5.0e-4');
});

test('tooltip values are written one compact way', () => {
  expect(formatValue(165300.4)).toBe('165,300');
  expect(formatValue(0.123456)).toBe('0.1235');
  expect(formatValue(0.00001234)).toBe('1.234e-5');
  expect(formatValue(42)).toBe('42');
});
