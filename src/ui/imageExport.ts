// Charts and views as pictures: canvases as PNG, line charts as SVG (and PNG drawn from that SVG).
import { download, fileNameOf } from './download';
import { confusionColor } from './colors';

const SVG_NS = 'http://www.w3.org/2000/svg';

/** A canvas as a PNG file. */
export function downloadCanvas(canvas: HTMLCanvasElement, name: string): void {
  canvas.toBlob((blob) => {
    if (blob) void blob.arrayBuffer().then((b) => download(`${fileNameOf(name)}.png`, new Uint8Array(b), 'image/png'));
  }, 'image/png');
}

/**
 * A chart's plot as a standalone SVG: its title on top, a white background, and its HTML legend
 * written underneath as SVG, so the file reads on its own.
 */
export function chartSvg(chart: HTMLElement, title: string): { svg: string; width: number; height: number } | null {
  const plot = chart.querySelector('svg.recharts-surface');
  if (!plot) return null;
  const width = Number(plot.getAttribute('width'));
  const plotHeight = Number(plot.getAttribute('height'));
  const legend = [...chart.querySelectorAll('.chart-legend li')].map((li) => ({
    text: li.textContent ?? '',
    line: li.querySelector('line')?.cloneNode() as SVGLineElement | undefined,
  }));
  const top = 24;
  const height = top + plotHeight + 18 * legend.length + 8;
  const svg = document.createElementNS(SVG_NS, 'svg');
  svg.setAttribute('xmlns', SVG_NS);
  svg.setAttribute('width', String(width));
  svg.setAttribute('height', String(height));
  svg.setAttribute('font-family', 'sans-serif');
  const add = (tag: string, attrs: Record<string, string | number>, text?: string) => {
    const el = document.createElementNS(SVG_NS, tag);
    for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
    if (text) el.textContent = text;
    svg.append(el);
    return el;
  };
  add('rect', { width, height, fill: 'white' });
  add('text', { x: 8, y: 16, 'font-size': 14, 'font-weight': 600 }, title);
  const body = plot.cloneNode(true) as SVGSVGElement;
  body.setAttribute('y', String(top));
  svg.append(body);
  legend.forEach((item, i) => {
    const y = top + plotHeight + 14 + 18 * i;
    const g = add('g', { transform: `translate(12, ${y - 4})` });
    if (item.line) g.append(item.line);
    add('text', { x: 36, y, 'font-size': 12 }, item.text);
  });
  return { svg: new XMLSerializer().serializeToString(svg), width, height };
}

export function downloadChartSvg(chart: HTMLElement, title: string): void {
  const out = chartSvg(chart, title);
  if (out) download(`${fileNameOf(title)}.svg`, out.svg, 'image/svg+xml');
}

/** The chart's SVG drawn at twice its size onto a canvas, then saved as PNG. */
export function downloadChartPng(chart: HTMLElement, title: string): void {
  const out = chartSvg(chart, title);
  if (!out) return;
  const image = new Image();
  image.onload = () => {
    const canvas = document.createElement('canvas');
    canvas.width = out.width * 2;
    canvas.height = out.height * 2;
    const ctx = canvas.getContext('2d')!;
    ctx.scale(2, 2);
    ctx.drawImage(image, 0, 0);
    downloadCanvas(canvas, title);
  };
  image.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(out.svg)}`;
}

/** A confusion matrix (rows: true class, columns: predicted) drawn as a picture with its counts. */
export function downloadConfusionPng(confusion: number[], labels: string[], name: string): void {
  const k = labels.length;
  const cell = 36;
  const margin = 8 + 7 * Math.min(12, Math.max(...labels.map((l) => l.length)));
  const canvas = document.createElement('canvas');
  // At twice the size, as the charts are exported.
  canvas.width = canvas.height = 2 * (margin + k * cell);
  const ctx = canvas.getContext('2d')!;
  ctx.scale(2, 2);
  ctx.fillStyle = 'white';
  ctx.fillRect(0, 0, margin + k * cell, margin + k * cell);
  ctx.font = '12px sans-serif';
  ctx.textAlign = 'center';
  ctx.textBaseline = 'middle';
  for (let t = 0; t < k; t++) {
    const total = confusion.slice(t * k, t * k + k).reduce((a, b) => a + b, 0);
    ctx.fillStyle = '#333';
    ctx.fillText(labels[t].slice(0, 12), margin / 2, margin + t * cell + cell / 2);
    ctx.fillText(labels[t].slice(0, 5), margin + t * cell + cell / 2, margin / 2);
    for (let p = 0; p < k; p++) {
      const n = confusion[t * k + p];
      const share = total ? n / total : 0;
      const colors = confusionColor(share, t === p);
      ctx.fillStyle = n ? colors.background : '#fafafa';
      ctx.fillRect(margin + p * cell, margin + t * cell, cell - 1, cell - 1);
      if (n) {
        ctx.fillStyle = colors.color;
        ctx.fillText(String(n), margin + p * cell + cell / 2, margin + t * cell + cell / 2);
      }
    }
  }
  downloadCanvas(canvas, name);
}
