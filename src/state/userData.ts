// The person's own text, table or images travel with a run to the worker (they are not part of the spec); the table
// and the images are read from this browser's storage only when a run needs them.
import type { ExperimentSpec } from '../experiment/types';
import type { UserData } from '../worker/protocol';
import { useImageStore } from './imageStore';
import { useTableStore } from './tableStore';
import { useTextStore } from './textStore';

/** What a run on this spec needs of the person's data (nothing for shipped or generated data). */
export function userDataFor(spec: ExperimentSpec): UserData | undefined {
  switch (spec.dataset.kind) {
    case 'userText':
      return { text: useTextStore.getState().content ?? undefined };
    case 'userTable':
      return { table: useTableStore.getState().table ?? undefined };
    case 'userImages':
      return { images: useImageStore.getState().images ?? undefined };
    default:
      return undefined;
  }
}

/** Whether some of these runs need a table or images not read from storage yet. */
export const userDataUnread = (specs: ExperimentSpec[]) =>
  specs.some(
    (s) =>
      (s.dataset.kind === 'userTable' && !useTableStore.getState().table) ||
      (s.dataset.kind === 'userImages' && !useImageStore.getState().images),
  );

/** Have the person's table and images read before runs on them go to the worker (without them, it says so). */
export async function readUserData(specs: ExperimentSpec[]): Promise<void> {
  if (specs.some((s) => s.dataset.kind === 'userTable')) await useTableStore.getState().open();
  if (specs.some((s) => s.dataset.kind === 'userImages')) await useImageStore.getState().open();
}
