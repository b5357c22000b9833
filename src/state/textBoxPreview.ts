// The start of something the person gave (a CSV table, their text) for its text box: the whole of it when it is
// short enough to show and edit there, else its first characters and a mark that more follows.

export interface TextBoxPreview {
  preview: string;
  /** Whether `preview` is all of it (only then can it be edited in the box). */
  whole: boolean;
}

function preview(start: string, size: number): TextBoxPreview {
  return start.length < size ? { preview: `${start}\n…`, whole: false } : { preview: start, whole: true };
}

/** Typed or pasted text: at once (the box follows every key). */
export const previewOfText = (text: string, chars: number): TextBoxPreview =>
  preview(text.slice(0, chars), text.length);

/** A file: its first `chars` bytes read (a slice may end inside a character, read as U+FFFD: it is only shown). */
export const previewOfFile = async (file: Blob, chars: number): Promise<TextBoxPreview> =>
  preview(await file.slice(0, chars).text(), file.size);
