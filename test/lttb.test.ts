import { expect, test } from 'vitest';
import { lttb } from '../src/ui/lttb';

test('a long curve comes down to the points asked for, its ends kept, in order', () => {
  const points = Array.from({ length: 5000 }, (_, i) => ({ x: i, y: Math.exp(-i / 800) }));
  const out = lttb(points, 250);
  expect(out).toHaveLength(250);
  expect(out[0]).toBe(points[0]);
  expect(out.at(-1)).toBe(points.at(-1));
  for (let i = 1; i < out.length; i++) expect(out[i].x).toBeGreaterThan(out[i - 1].x);
});

test('a one-epoch spike survives, where taking every 20th point would miss it', () => {
  const points = Array.from({ length: 5000 }, (_, i) => ({ x: i, y: i === 2017 ? 9 : 1 }));
  expect(points.filter((_, i) => i % 20 === 0).some((p) => p.y === 9)).toBe(false);
  expect(lttb(points, 250).some((p) => p.y === 9)).toBe(true);
});

test('short curves are drawn whole', () => {
  const points = [
    { x: 1, y: 2 },
    { x: 2, y: 1 },
  ];
  expect(lttb(points, 250)).toEqual(points);
});
