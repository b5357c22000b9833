// The person's own text for the "Your own text" dataset. It is not part of the spec (a link would be megabytes):
// it is kept in this browser's IndexedDB as given (pasted text, or the uploaded file, up to 50 MB) and sent to the
// worker with each run. A big file is counted (size, characters, alphabet) in the file-reading worker with progress;
// the text box shows its start. What is read back from storage is checked again, like any stored record.
import { create } from 'zustand';
import { textStats, userTextProblem, USER_TEXT_LIMITS, type TextStats } from '../data/text';
import { fileReader } from '../worker/client';
import { database } from './db';
import { previewOfFile, previewOfText } from './textBoxPreview';

const KEY = 'text';
/** Where an earlier version kept the text (moved to IndexedDB on first start). */
const OLD_KEY = 'nn-playground.userText';
/** The text box shows at most this much of a text (the whole of one up to it, which can then be edited). */
export const TEXT_PREVIEW_CHARS = 200_000;
/** Pasted text this long or shorter is counted here at once; longer, in the file-reading worker. */
const COUNT_HERE_CHARS = 1_000_000;

interface TextState {
  /** The start of the text, for the text box (the whole of one up to TEXT_PREVIEW_CHARS). */
  preview: string;
  /** Whether `preview` is the whole text (only then can it be edited there). */
  whole: boolean;
  /** Whether any text was given (pasted, uploaded or kept from an earlier visit). */
  given: boolean;
  /** Where it came from: "pasted" or the uploaded file's name. */
  source: string;
  /** The text as given: what a run sends to the worker. */
  content: string | Blob | null;
  /** Its size, characters and alphabet; null while it is counted, or when there is none. */
  stats: TextStats | null;
  /** Why it cannot be read (too big, unreadable); the other limits depend on the model (see userTextProblem). */
  readProblem: string | null;
  /** How much of a big file has been counted (0–1) while it is; null otherwise. */
  reading: number | null;
  /** Set when the browser would not keep it (storage full); the text still works until reload. */
  storageNote: string | null;
  /** A new text (typed or pasted, or an uploaded file): counted at once and kept for later visits. */
  set: (text: string | Blob, source: string) => Promise<void>;
}

/** The text being counted now: a newer one makes an older count moot. */
let latest = 0;
/** How many texts were given in this tab: one given while the kept one is fetched wins. */
let givenHere = 0;

const previewOf = async (text: string | Blob) =>
  typeof text === 'string' ? previewOfText(text, TEXT_PREVIEW_CHARS) : previewOfFile(text, TEXT_PREVIEW_CHARS);

/** Count a text here (short pasted text) or in the file-reading worker (a file, or long text), into the store. */
async function count(text: string | Blob): Promise<void> {
  const counting = ++latest;
  const size = typeof text === 'string' ? text.length : text.size;
  if (size > USER_TEXT_LIMITS.maxBytes) {
    useTextStore.setState({
      stats: null,
      reading: null,
      readProblem: `Your text: it is ${(size / 1e6).toFixed(1)} MB, over the ${USER_TEXT_LIMITS.maxBytes / 1e6} MB limit; use a shorter excerpt.`,
    });
    return;
  }
  if (typeof text === 'string' && (text.length <= COUNT_HERE_CHARS || typeof Worker === 'undefined')) {
    useTextStore.setState({ stats: textStats(text), readProblem: null, reading: null });
    return;
  }
  useTextStore.setState({ stats: null, readProblem: null, reading: 0 });
  let stats: TextStats | null = null;
  let readProblem: string | null = null;
  try {
    stats =
      typeof Worker === 'undefined'
        ? textStats(await (text as Blob).text())
        : await fileReader().countText(text, (fraction) => {
            if (counting === latest) useTextStore.setState({ reading: fraction });
          });
  } catch (e) {
    readProblem = `Your text: it could not be read (${e instanceof Error ? e.message : String(e)}).`;
  }
  if (counting === latest) useTextStore.setState({ stats, readProblem, reading: null });
}

export const useTextStore = create<TextState>((set) => ({
  preview: '',
  whole: true,
  given: false,
  source: '',
  content: null,
  stats: null,
  readProblem: null,
  reading: null,
  storageNote: null,
  async set(text, source) {
    givenHere++;
    const given = typeof text === 'string' ? text.trim() !== '' : text.size > 0;
    set({ ...(await previewOf(text)), given, source, content: given ? text : null, storageNote: null });
    database()
      ?.then((d) => d.put('userData', { text, source }, KEY))
      .catch(() => {
        set({ storageNote: 'This browser would not keep the text (storage is full); it works until you reload.' });
      });
    await count(text);
  },
}));

/**
 * Why the text cannot be trained on by a model that reads it as `tokenizer` says (a character model's alphabet is
 * limited; byte pairs read any text); null when it can, and while it is counted or there is none.
 */
export function textProblemFor(s: Pick<TextState, 'readProblem' | 'stats'>, tokenizer: 'char' | 'bpe'): string | null {
  return s.readProblem ?? (s.stats ? userTextProblem(s.stats, tokenizer) : null);
}

/** The text kept from an earlier visit (or, once, from where an earlier version kept it), checked and counted. */
async function keptText(): Promise<void> {
  const asked = givenHere;
  const d = database();
  if (!d) return;
  let raw = (await d.then((db) => db.get('userData', KEY)).catch(() => null)) as
    { text?: unknown; source?: unknown } | null | undefined;
  if (!raw) raw = movedFromLocalStorage();
  const text = raw?.text;
  if ((typeof text !== 'string' && !(text instanceof Blob)) || givenHere !== asked) return;
  const given = typeof text === 'string' ? text.trim() !== '' : text.size > 0;
  if (!given) return;
  const source = typeof raw?.source === 'string' ? raw.source.slice(0, 200) : 'pasted';
  useTextStore.setState({ ...(await previewOf(text)), given, source, content: text });
  await count(text);
}

/** Text an earlier version kept in localStorage: moved into IndexedDB (localStorage holds only a few megabytes). */
function movedFromLocalStorage(): { text: string; source: string } | null {
  try {
    const raw = typeof localStorage === 'undefined' ? null : localStorage.getItem(OLD_KEY);
    const value = raw ? (JSON.parse(raw) as { text?: unknown; source?: unknown } | null) : null;
    if (!value || typeof value.text !== 'string') return null;
    const moved = {
      text: value.text,
      source: typeof value.source === 'string' ? value.source.slice(0, 200) : 'pasted',
    };
    void database()
      ?.then((d) => d.put('userData', moved, KEY))
      .then(() => localStorage.removeItem(OLD_KEY))
      .catch(() => {});
    return moved;
  } catch {
    return null; // unreadable: start empty
  }
}

void keptText();
