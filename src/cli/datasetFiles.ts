// The files a dataset needs, read from disk: the shipped ones in datasets/, or the person's own
// text or table given with --data (links and spec files never carry them).
import { readFileSync, statSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import type { DatasetFiles } from '../data/dataset';
import { MAX_TABLE_BYTES, parseTable } from '../data/table';
import { USER_TEXT_LIMITS, userTextProblem } from '../data/text';
import type { DatasetSpec } from '../experiment/types';
import { decodeImageSet } from '../data/imageSet';
import { decodeOwnImages, ownImageSet, OWN_IMAGE_FILE_BYTES } from '../data/ownImages';

const shipped = (name: string) => fileURLToPath(new URL(`../../datasets/${name}`, import.meta.url));

/** A text file as a browser reads it: UTF-8, without a byte-order mark. */
export function readText(path: string): string {
  return readFileSync(path, 'utf8').replace(/^\uFEFF/, '');
}

/** The person's own text or table, under the app's limits (checked on the file's size before it is read). */
export function datasetFiles(spec: DatasetSpec, dataPath: string | null): DatasetFiles {
  const own = (what: string, maxBytes: number) => {
    if (!dataPath)
      throw new Error(`this spec trains on ${what}, which is not in the spec: give the file with --data FILE`);
    let text: string;
    try {
      const bytes = statSync(dataPath).size;
      if (bytes > maxBytes)
        throw new Error(`it is ${(bytes / 1e6).toFixed(1)} MB, over the ${maxBytes / 1e6} MB limit for ${what}`);
      text = readText(dataPath);
    } catch (e) {
      throw new Error(`--data ${dataPath} cannot be used (${e instanceof Error ? e.message : String(e)})`, {
        cause: e,
      });
    }
    return text;
  };
  switch (spec.kind) {
    case 'mnist':
      return {
        mnist: {
          images: new Uint8Array(readFileSync(shipped('mnist-images.u8'))),
          labels: new Uint8Array(readFileSync(shipped('mnist-labels.u8'))),
        },
      };
    case 'mnistFull':
      return { images: decodeImageSet(gunzipSync(readFileSync(shipped('mnist-full.imgz'))), 'Full MNIST') };
    case 'fashionMnist':
      return { images: decodeImageSet(gunzipSync(readFileSync(shipped('fashion-mnist.imgz'))), 'Fashion-MNIST') };
    case 'names':
      return { text: readFileSync(shipped('names.txt'), 'utf8') };
    case 'sotu':
      return { text: readFileSync(shipped('sotu.txt'), 'utf8') };
    case 'userText': {
      const text = own('your own text', USER_TEXT_LIMITS.maxBytes);
      const problem = userTextProblem(text, spec.tokenizer.kind);
      if (problem) throw new Error(`--data ${dataPath}: ${problem}`);
      return { text };
    }
    case 'userImages': {
      if (!dataPath)
        throw new Error(
          'this spec trains on your own images, which are not in the spec: give the file the app downloads for them (Data panel, "Download for the CLI") with --data FILE',
        );
      let images;
      try {
        if (statSync(dataPath).size > OWN_IMAGE_FILE_BYTES)
          throw new Error(`it is over the ${OWN_IMAGE_FILE_BYTES / 1e6} MB limit for your own images`);
        const bytes = new Uint8Array(readFileSync(dataPath));
        // gzip's magic bytes: the app's download is compressed.
        images = decodeOwnImages(bytes[0] === 0x1f && bytes[1] === 0x8b ? gunzipSync(bytes) : bytes, dataPath);
      } catch (e) {
        throw new Error(`--data ${dataPath} cannot be used (${e instanceof Error ? e.message : String(e)})`, {
          cause: e,
        });
      }
      return {
        images: ownImageSet(images, spec.ownImages.side, spec.ownImages.colour),
        classNames: images.classes,
      };
    }
    case 'userTable': {
      const parsed = parseTable(own('your own table (a CSV file)', MAX_TABLE_BYTES));
      if (!parsed.ok) throw new Error(`${dataPath}: ${parsed.error}`);
      return { table: parsed.value };
    }
    default:
      return {};
  }
}
