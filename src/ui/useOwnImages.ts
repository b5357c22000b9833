import { useEffect } from 'react';
import { exampleCounts, type ExperimentSpec } from '../experiment';
import { NO_IMAGES, useImageStore } from '../state/imageStore';

/** Your images' training, validation and test counts under a spec: `dataset.samples` is at most how many there are. */
export function ownImageCounts(d: ExperimentSpec['dataset'], n: number) {
  return exampleCounts({ ...d, samples: Math.min(d.samples, n) });
}

/** What stops a run on the person's images: none given, being decoded, unusable, or fewer than a batch to train on. */
export function useOwnImagesProblem(spec: ExperimentSpec): string | null {
  const images = useImageStore((s) => s.images);
  const problem = useImageStore((s) => s.problem);
  const reading = useImageStore((s) => s.reading);
  const isOwn = spec.dataset.kind === 'userImages';
  // The kept images are read only when their experiment is open.
  useEffect(() => {
    if (isOwn) void useImageStore.getState().open();
  }, [isOwn]);
  if (!isOwn) return null;
  if (reading !== null) return `Your images are being decoded (${Math.round(reading * 100)}%); wait a moment.`;
  if (!images) return problem ?? NO_IMAGES;
  const { train } = ownImageCounts(spec.dataset, images.n);
  const batch = spec.training.batchSize;
  return batch > train
    ? `Your images: ${train} of them are for training, fewer than the batch size (${batch}); lower the batch size or add images.`
    : null;
}

/** Nothing given yet (to be asked for, not flagged), or being decoded. */
export function useOwnImagesAwaited(isOwn: boolean): { reading?: number } | null {
  const nothing = useImageStore((s) => s.images === null && s.problem === NO_IMAGES);
  const reading = useImageStore((s) => s.reading);
  if (!isOwn) return null;
  if (reading !== null) return { reading };
  return nothing ? {} : null;
}
