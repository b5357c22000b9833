// The files a dataset needs, read from disk: the shipped ones in datasets/, or the person's own
// text or table given with --data (links and spec files never carry them).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { DatasetFiles } from '../data/dataset';
import { parseTable } from '../data/table';
import type { DatasetSpec } from '../spec/types';

const shipped = (name: string) => fileURLToPath(new URL(`../../datasets/${name}`, import.meta.url));

export function datasetFiles(spec: DatasetSpec, dataPath: string | null): DatasetFiles {
  const own = (what: string) => {
    if (!dataPath)
      throw new Error(`this spec trains on ${what}, which is not in the spec: give the file with --data FILE`);
    try {
      return readFileSync(dataPath, 'utf8');
    } catch (e) {
      throw new Error(`--data ${dataPath} cannot be read (${e instanceof Error ? e.message : String(e)})`, {
        cause: e,
      });
    }
  };
  switch (spec.kind) {
    case 'mnist':
      return {
        mnist: {
          images: new Uint8Array(readFileSync(shipped('mnist-images.u8'))),
          labels: new Uint8Array(readFileSync(shipped('mnist-labels.u8'))),
        },
      };
    case 'names':
      return { text: readFileSync(shipped('names.txt'), 'utf8') };
    case 'sotu':
      return { text: readFileSync(shipped('sotu.txt'), 'utf8') };
    case 'userText':
      return { text: own('your own text') };
    case 'userTable': {
      const parsed = parseTable(own('your own table (a CSV file)'));
      if (!parsed.ok) throw new Error(`${dataPath}: ${parsed.error}`);
      return { table: parsed.value };
    }
    default:
      return {};
  }
}
