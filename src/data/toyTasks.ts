// Toy sequence tasks for sequence models, as next-token prediction over a prompt and its answer:
// e.g. "123+45=" → "168". The loss counts only the answer's tokens (the mask).
import { Rng } from './rng';

export const TOY_TASKS = ['reverse', 'sort', 'copy', 'addition'] as const;
export type ToyTask = (typeof TOY_TASKS)[number];

/** Digits, then the separators and padding the tasks use. */
export const TOY_VOCAB = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9', '+', '=', '|', '_'] as const;
const id = (c: string) => TOY_VOCAB.indexOf(c as (typeof TOY_VOCAB)[number]);

export interface ToyExamples {
  /** n × T input tokens, n × T target tokens (the next token), n × T mask (1 on answer targets). */
  x: Int32Array;
  y: Int32Array;
  mask: Float32Array;
  n: number;
  /** Sequence length T (prompt + answer − 1). */
  length: number;
  promptLength: number;
}

/** Prompt and answer strings for one example; `digits` sets the problem size. */
export function toyExample(task: ToyTask, digits: number, rng: Rng): { prompt: string; answer: string } {
  const draw = (n: number) => Array.from({ length: n }, () => String(Math.floor(rng.next() * 10))).join('');
  switch (task) {
    case 'reverse': {
      const s = draw(digits);
      return { prompt: s + '|', answer: [...s].reverse().join('') };
    }
    case 'sort': {
      const s = draw(digits);
      return { prompt: s + '|', answer: [...s].sort().join('') };
    }
    case 'copy': {
      const s = draw(digits);
      return { prompt: s + '|', answer: s };
    }
    case 'addition': {
      const a = Math.floor(rng.next() * 10 ** digits);
      const b = Math.floor(rng.next() * 10 ** digits);
      // Fixed widths keep every example the same length: operands padded with '_', sum to digits+1.
      const pad = (v: number, w: number) => String(v).padStart(w, '_');
      return { prompt: `${pad(a, digits)}+${pad(b, digits)}=`, answer: String(a + b).padStart(digits + 1, '0') };
    }
  }
}

export function toyExamples(task: ToyTask, digits: number, count: number, seed: number): ToyExamples {
  const rng = new Rng(seed);
  const first = toyExample(task, digits, new Rng(seed));
  const promptLength = first.prompt.length;
  const length = promptLength + first.answer.length - 1;
  const x = new Int32Array(count * length);
  const y = new Int32Array(count * length);
  const mask = new Float32Array(count * length);
  for (let i = 0; i < count; i++) {
    const { prompt, answer } = toyExample(task, digits, rng);
    const seq = [...(prompt + answer)].map(id);
    for (let t = 0; t < length; t++) {
      x[i * length + t] = seq[t];
      y[i * length + t] = seq[t + 1];
      mask[i * length + t] = t + 1 >= promptLength ? 1 : 0;
    }
  }
  return { x, y, mask, n: count, length, promptLength };
}
