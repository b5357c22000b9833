// The person's own text for the "Your own text" dataset. It is not part of the spec (a link
// would be megabytes), so it is kept in this browser and sent to the worker with each run.
import { create } from 'zustand';
import { userTextProblem } from '../data/text';

const KEY = 'nn-playground.userText';

interface TextState {
  text: string;
  /** Where it came from: "pasted" or the uploaded file's name. */
  source: string;
  /** Why it cannot be trained on, naming the limits; null when it can. */
  problem: string | null;
  /** Distinct characters (the model's alphabet). */
  vocab: number;
  /** Characters (tokens), as the models read them. */
  length: number;
  /** Set when the browser would not keep it (storage full); the text still works until reload. */
  storageNote: string | null;
  set: (text: string, source: string) => void;
}

function describe(text: string) {
  return { problem: userTextProblem(text), vocab: new Set(text).size, length: Array.from(text).length };
}

/** The kept text, checked like any stored record: anything but { text, source } strings is ignored. */
function stored(): { text: string; source: string } {
  try {
    const raw = typeof localStorage === 'undefined' ? null : localStorage.getItem(KEY);
    const value = raw ? (JSON.parse(raw) as { text?: unknown; source?: unknown } | null) : null;
    if (value && typeof value.text === 'string') {
      return { text: value.text, source: typeof value.source === 'string' ? value.source.slice(0, 200) : 'pasted' };
    }
  } catch {
    /* unreadable: start empty */
  }
  return { text: '', source: '' };
}

export const useTextStore = create<TextState>((set) => {
  const initial = stored();
  return {
    ...initial,
    ...describe(initial.text),
    storageNote: null,
    set(text, source) {
      let storageNote: string | null = null;
      try {
        localStorage.setItem(KEY, JSON.stringify({ text, source }));
      } catch {
        storageNote = 'This browser would not keep the text (storage is full); it works until you reload.';
      }
      set({ text, source, storageNote, ...describe(text) });
    },
  };
});
