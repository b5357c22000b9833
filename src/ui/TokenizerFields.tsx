// What a token is for a language model, in the Data panel: a character, or byte pairs learned from the training
// text, with the vocabulary's size.
import { LIMITS, type ExperimentSpec, type TokenizerSpec } from '../experiment';
import { useSpecStore } from '../state/specStore';
import { NumberField, SelectField } from './fields';

const KINDS: { value: TokenizerSpec['kind']; label: string }[] = [
  { value: 'char', label: 'Characters' },
  { value: 'bpe', label: 'Byte pairs (BPE)' },
];

export function TokenizerFields({ spec, errors }: { spec: ExperimentSpec; errors: Record<string, string> }) {
  const update = useSpecStore((s) => s.update);
  const tokenizer = spec.dataset.tokenizer;
  return (
    <>
      <SelectField
        label="Tokens"
        path="dataset.tokenizer.kind"
        value={tokenizer.kind}
        options={KINDS}
        error={errors['dataset.tokenizer.kind']}
        hint={
          tokenizer.kind === 'bpe'
            ? 'the bytes, and the pairs seen most often in the training text, merged into tokens'
            : 'one token per character'
        }
        onChange={(kind) =>
          update((d) => {
            d.dataset.tokenizer.kind = kind;
          })
        }
      />
      {tokenizer.kind === 'bpe' && (
        <NumberField
          label="Vocabulary size"
          path="dataset.tokenizer.vocabSize"
          value={tokenizer.vocabSize}
          error={errors['dataset.tokenizer.vocabSize']}
          hint={`tokens: the 256 bytes and the merges learned (${LIMITS.bpeVocab.min.toLocaleString('en-US')}–${LIMITS.bpeVocab.max.toLocaleString('en-US')})`}
          onChange={(v) =>
            update((d) => {
              d.dataset.tokenizer.vocabSize = v;
            })
          }
        />
      )}
    </>
  );
}
