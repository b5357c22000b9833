import type { DatasetFiles } from '../data/dataset';
import type { DatasetSpec } from '../spec/types';
// Vite copies the shipped data files into the build and gives their URLs (same origin, no network).
import mnistImagesUrl from '../../datasets/mnist-images.u8?url';
import mnistLabelsUrl from '../../datasets/mnist-labels.u8?url';

let mnist: Promise<DatasetFiles['mnist']> | null = null;

async function bytes(url: string): Promise<Uint8Array> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`could not load ${url}: HTTP ${response.status}`);
  return new Uint8Array(await response.arrayBuffer());
}

/** The files a dataset needs, fetched once per worker. */
export async function filesFor(spec: DatasetSpec): Promise<DatasetFiles> {
  if (spec.kind !== 'mnist') return {};
  mnist ??= Promise.all([bytes(mnistImagesUrl), bytes(mnistLabelsUrl)]).then(([images, labels]) => ({ images, labels }));
  return { mnist: await mnist };
}
