// The person's own images in the Data panel: a folder (one folder per class) or a zip dropped or chosen, or files
// picked class by class; decoded in a worker with progress, summarised per class with what the network will see,
// kept in this browser (never in links).
import { useEffect, useMemo, useRef, useState } from 'react';
import { NO_IMAGES, useImageStore } from '../state/imageStore';
import { useSpecStore } from '../state/specStore';
import {
  KEPT_PIXELS,
  OWN_IMAGE_LIMITS,
  classCounts,
  encodeOwnImages,
  resizeKept,
  type ImageFile,
  type OwnImages,
} from '../data/ownImages';
import { OWN_IMAGE_SIDES, type ExperimentSpec } from '../experiment';
import { download, fileNameOf } from './download';
import { CheckField, SelectField } from './fields';

/** Thumbnails shown per class, and classes shown. */
const PER_CLASS = 6;
const CLASSES_SHOWN = 12;

/** Every file below a dropped folder, with its path from the drop ("pets/cat/1.jpg"). */
async function filesBelow(entry: FileSystemEntry): Promise<ImageFile[]> {
  if (entry.isFile)
    return [
      {
        path: entry.fullPath.replace(/^\//, ''),
        file: await new Promise<File>((resolve, reject) => (entry as FileSystemFileEntry).file(resolve, reject)),
      },
    ];
  const reader = (entry as FileSystemDirectoryEntry).createReader();
  const all: ImageFile[] = [];
  // readEntries gives a folder's entries a batch at a time, then an empty batch.
  for (;;) {
    const batch = await new Promise<FileSystemEntry[]>((resolve, reject) => reader.readEntries(resolve, reject));
    if (batch.length === 0) return all;
    for (const e of batch) all.push(...(await filesBelow(e)));
  }
}

/** Your images as the CLI's --data file: the kept copy with the class names, gzip-compressed by the browser. */
async function downloadForCli(images: OwnImages): Promise<void> {
  const gzipped = new Blob([encodeOwnImages(images) as BlobPart]).stream().pipeThrough(new CompressionStream('gzip'));
  download(
    `${fileNameOf(images.source.replace(/\.zip$/i, ''))}.imgz`,
    new Uint8Array(await new Response(gzipped).arrayBuffer()),
    'application/gzip',
  );
}

const isZip = (f: File) => /\.zip$/i.test(f.name) || f.type === 'application/zip';

/** One class's first images, at the spec's size and colour: what the network will see. */
function ClassThumbnails({
  images,
  label,
  side,
  colour,
}: {
  images: OwnImages;
  label: number;
  side: number;
  colour: boolean;
}) {
  const ref = useRef<HTMLCanvasElement>(null);
  const picked = useMemo(() => {
    const at: number[] = [];
    for (let i = 0; i < images.n && at.length < PER_CLASS; i++) if (images.labels[i] === label) at.push(i);
    return at;
  }, [images, label]);
  useEffect(() => {
    const ctx = ref.current?.getContext('2d');
    if (!ctx) return;
    const channels = colour ? 3 : 1;
    const small = new Uint8Array(side * side * channels);
    const data = ctx.createImageData(side * picked.length, side);
    picked.forEach((i, slot) => {
      resizeKept(images.pixels.subarray(i * KEPT_PIXELS, (i + 1) * KEPT_PIXELS), side, colour, small);
      for (let p = 0; p < side * side; p++) {
        const o = (Math.floor(p / side) * side * picked.length + slot * side + (p % side)) * 4;
        for (let k = 0; k < 3; k++) data.data[o + k] = small[p * channels + (colour ? k : 0)];
        data.data[o + 3] = 255;
      }
    });
    ctx.putImageData(data, 0, 0);
  }, [images, picked, side, colour]);
  return (
    <canvas
      ref={ref}
      className="own-thumbs"
      width={side * Math.max(1, picked.length)}
      height={side}
      style={{ width: 40 * picked.length, height: 40 }}
      role="img"
      aria-label={`The first ${picked.length} images of ${images.classes[label]}, at ${side}×${side} ${colour ? 'in colour' : 'in grey'}`}
    />
  );
}

/** Files picked for one class at a time, gathered until they are used. */
function PickByClass({ onUse }: { onUse: (files: ImageFile[]) => void }) {
  const [name, setName] = useState('');
  const [picked, setPicked] = useState<{ name: string; files: File[] }[]>([]);
  const trimmed = name.trim();
  const nameProblem =
    trimmed === ''
      ? null
      : /[/\\]/.test(trimmed)
        ? 'Class name: must not contain / or \\.'
        : trimmed.startsWith('.')
          ? 'Class name: must not start with a dot (such folders are hidden).'
          : trimmed.length > 100
            ? 'Class name: at most 100 characters.'
            : null;
  return (
    <details className="pick-by-class">
      <summary>Or pick files class by class</summary>
      <div className="row">
        <div className="field">
          <label htmlFor="own-class-name">Class name</label>
          <input id="own-class-name" value={name} onChange={(e) => setName(e.target.value)} placeholder="cat" />
        </div>
        <label className="upload">
          Add images to this class{' '}
          <input
            type="file"
            multiple
            accept="image/*"
            disabled={trimmed === '' || nameProblem !== null}
            onChange={(e) => {
              const files = [...(e.target.files ?? [])];
              e.target.value = '';
              if (!files.length) return;
              setPicked((p) => [
                ...p.filter((c) => c.name !== trimmed),
                { name: trimmed, files: [...(p.find((c) => c.name === trimmed)?.files ?? []), ...files] },
              ]);
              setName('');
            }}
          />
        </label>
      </div>
      {nameProblem && (
        <div className="field-error" role="alert">
          {nameProblem}
        </div>
      )}
      {picked.length > 0 && (
        <div className="field-hint">
          {picked.map((c) => `${c.name}: ${c.files.length}`).join(' · ')}{' '}
          <button
            type="button"
            onClick={() => {
              onUse(picked.flatMap((c) => c.files.map((file) => ({ path: `${c.name}/${file.name}`, file }))));
              setPicked([]);
            }}
          >
            Use these {picked.reduce((a, c) => a + c.files.length, 0)} images
          </button>{' '}
          <button type="button" className="link-button" onClick={() => setPicked([])}>
            Clear
          </button>
        </div>
      )}
    </details>
  );
}

export function UserImages({ spec, errors }: { spec: ExperimentSpec; errors: Record<string, string> }) {
  const { images, problem, reading, storageNote, set } = useImageStore();
  const update = useSpecStore((s) => s.update);
  const [over, setOver] = useState(false);
  const own = spec.dataset.ownImages;
  const give = (files: ImageFile[] | Blob, source: string) => void set(files, source);
  const onDrop = async (e: React.DragEvent) => {
    e.preventDefault();
    e.stopPropagation(); // images, not a run file for the page to open
    setOver(false);
    const entries = [...e.dataTransfer.items].map((i) => i.webkitGetAsEntry()).filter((x) => x !== null);
    const files = [...e.dataTransfer.files];
    if (files.length === 1 && isZip(files[0]) && entries.every((x) => x.isFile)) return give(files[0], files[0].name);
    const all = (await Promise.all(entries.map(filesBelow))).flat();
    give(all, entries.length === 1 ? entries[0].name : `${entries.length} folders`);
  };
  const counts = images ? classCounts(images) : [];
  // Nothing given yet is asked for, not flagged (the control bar asks too); while decoding, the progress says so.
  const error = reading !== null || problem === NO_IMAGES ? null : (errors['dataset.images'] ?? problem);
  return (
    <div className={`field user-images${error ? ' field-invalid' : ''}`} data-field="dataset.images">
      <span className="label">Your images</span>
      <div
        className={`drop-zone${over ? ' drop-over' : ''}`}
        onDragOver={(e) => {
          e.preventDefault();
          setOver(true);
        }}
        onDragLeave={() => setOver(false)}
        onDrop={(e) => void onDrop(e)}
      >
        <p>Drop a folder here with one folder of images per class (cats/, dogs/…), or a zip of one.</p>
        <div className="row">
          <label className="upload">
            Choose a folder…{' '}
            <input
              id="user-images-folder"
              type="file"
              // Chromium, Firefox and Safari all read a chosen folder's files with their paths this way.
              {...{ webkitdirectory: '' }}
              multiple
              onChange={(e) => {
                const files = [...(e.target.files ?? [])];
                e.target.value = '';
                if (files.length)
                  give(
                    files.map((file) => ({ path: file.webkitRelativePath || file.name, file })),
                    files[0].webkitRelativePath.split('/')[0] || 'a folder',
                  );
              }}
            />
          </label>
          <label className="upload">
            Choose a zip…{' '}
            <input
              id="user-images-zip"
              type="file"
              accept=".zip,application/zip"
              onChange={(e) => {
                const file = e.target.files?.[0];
                e.target.value = '';
                if (file) give(file, file.name);
              }}
            />
          </label>
        </div>
        <PickByClass onUse={(files) => give(files, 'picked by class')} />
      </div>
      {reading !== null && (
        <div className="field-hint" role="status">
          Decoding your images… <progress value={reading} max={1} aria-label="Images decoded" />{' '}
          {Math.round(reading * 100)}%
        </div>
      )}
      {error && (
        <div className="field-error" role="alert">
          {error}
        </div>
      )}
      <div className="row">
        <SelectField
          label="Image size"
          path="dataset.ownImages.side"
          value={String(own.side)}
          error={errors['dataset.ownImages.side']}
          options={OWN_IMAGE_SIDES.map((s) => ({ value: String(s), label: `${s}×${s} px` }))}
          onChange={(v) => update((d) => void (d.dataset.ownImages.side = Number(v)))}
        />
        <CheckField
          label="Colour (else grey)"
          path="dataset.ownImages.colour"
          checked={own.colour}
          onChange={(v) => update((d) => void (d.dataset.ownImages.colour = v))}
        />
      </div>
      {images && (
        <div className="own-summary" data-testid="own-images-summary">
          <div className="field-hint">
            {images.n.toLocaleString('en-US')} images in {images.classes.length} classes ({images.source}), each cropped
            to its central square; shown as the network sees them. Kept in this browser, not in shared links.
            {images.skippedCount > 0 &&
              ` ${images.skippedCount} file${images.skippedCount === 1 ? ' was' : 's were'} left out: ${images.skipped.slice(0, 3).join('; ')}${images.skippedCount > 3 ? '…' : ''}.`}
          </div>
          <button type="button" className="link-button" onClick={() => void downloadForCli(images)}>
            Download for the CLI (.imgz)
          </button>
          <ul className="own-classes">
            {images.classes.slice(0, CLASSES_SHOWN).map((c, label) => (
              <li key={c}>
                <span className="own-class-name">
                  {c} <span className="muted">({counts[label]})</span>
                </span>
                <ClassThumbnails images={images} label={label} side={own.side} colour={own.colour} />
              </li>
            ))}
          </ul>
          {images.classes.length > CLASSES_SHOWN && (
            <div className="field-hint">…and {images.classes.length - CLASSES_SHOWN} more classes.</div>
          )}
        </div>
      )}
      {storageNote && <div className="field-hint">{storageNote}</div>}
      <div className="field-hint">
        Up to {OWN_IMAGE_LIMITS.images.toLocaleString('en-US')} images in 2–{OWN_IMAGE_LIMITS.classes} classes, at least{' '}
        {OWN_IMAGE_LIMITS.perClass} per class; PNG, JPEG, GIF, WebP, BMP or AVIF, each under{' '}
        {OWN_IMAGE_LIMITS.fileBytes / 1e6} MB. Transparent parts count as white.
      </div>
    </div>
  );
}
