// Largest-Triangle-Three-Buckets (Steinarsson 2013): down-samples a line to `max` points while
// keeping its shape, spikes included, where taking every k-th point drops them. The charts draw
// at most a few hundred points per series however long a run is, every epoch.

export interface XY {
  x: number;
  y: number;
}

/** At most `max` of the points (the same objects), the first and last always among them. */
export function lttb<P extends XY>(points: readonly P[], max: number): P[] {
  const n = points.length;
  if (n <= max || max < 3) return points.slice();
  const out: P[] = [points[0]];
  const bucket = (n - 2) / (max - 2);
  let a = 0; // the point kept from the previous bucket
  for (let i = 0; i < max - 2; i++) {
    const start = Math.floor(i * bucket) + 1;
    const end = Math.floor((i + 1) * bucket) + 1;
    // The next bucket's average (the last point, for the last bucket).
    const nextEnd = Math.min(Math.floor((i + 2) * bucket) + 1, n);
    let ax = 0;
    let ay = 0;
    const count = Math.max(1, nextEnd - end);
    for (let j = end; j < end + count && j < n; j++) {
      ax += points[j].x;
      ay += points[j].y;
    }
    ax /= count;
    ay /= count;
    let best = start;
    let bestArea = -1;
    for (let j = start; j < end; j++) {
      const area = Math.abs(
        (points[a].x - ax) * (points[j].y - points[a].y) - (points[a].x - points[j].x) * (ay - points[a].y),
      );
      if (area > bestArea) {
        bestArea = area;
        best = j;
      }
    }
    out.push(points[best]);
    a = best;
  }
  out.push(points[n - 1]);
  return out;
}
