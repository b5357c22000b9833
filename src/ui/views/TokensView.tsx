import { useState } from 'react';
import type { TokenView } from '../../data/textTokens';

/** A token's text with its spaces, tabs and new lines made visible. */
const visible = (text: string) => text.replace(/ /g, '␣').replace(/\t/g, '⇥').replace(/\n/g, '↵');

/** Merges in the order they were learned; the bytes, which were not, after them. */
const learnedAt = (r: TokenView['vocabulary'][number]) => r.rank ?? Number.MAX_SAFE_INTEGER;

/** Two soft tints, alternating, so each token's extent shows in running text. */
const TINTS = ['#dbeafe', '#fde68a'];

/** What a byte-pair vocabulary learned: held-out text cut into its tokens, and its commonest tokens. */
export function TokensView({ view }: { view: TokenView }) {
  const [order, setOrder] = useState<'count' | 'rank'>('count');
  const rows =
    order === 'count'
      ? view.vocabulary
      : [...view.vocabulary].sort((a, b) => learnedAt(a) - learnedAt(b) || b.count - a.count);
  return (
    <div className="tokens-view" data-testid="tokens-view">
      <p className="small">
        <strong>{view.vocabSize.toLocaleString('en-US')}</strong> tokens: the 256 bytes and{' '}
        {view.merges.toLocaleString('en-US')} pairs merged, most frequent first, from the training text ·{' '}
        <strong>{view.tokensPerChar.toFixed(2)}</strong> tokens per character
        {view.merges < view.vocabSize - 256 ? ' (no pair was left that occurs twice: the rest are never used)' : ''}
      </p>
      <div className="small muted">The held-out text as it is cut into tokens (hover one for its id):</div>
      <pre className="mono token-excerpt" tabIndex={0} aria-label="The held-out text cut into tokens">
        {view.excerpt.map((p, i) => (
          <span key={i} title={`token ${p.id}: ${JSON.stringify(p.text)}`} style={{ background: TINTS[i % 2] }}>
            {p.text}
          </span>
        ))}
      </pre>
      <label className="field inline">
        <span>Order</span>
        <select name="tokens.order" value={order} onChange={(e) => setOrder(e.target.value as 'count' | 'rank')}>
          <option value="count">most used first</option>
          <option value="rank">learned first</option>
        </select>
      </label>
      <div className="cost-table-wrap token-table" tabIndex={0} role="region" aria-label="Vocabulary">
        <table className="cost-table">
          <caption>The {rows.length} most used tokens in the text</caption>
          <thead>
            <tr>
              <th scope="col">Token</th>
              <th scope="col">Bytes</th>
              <th scope="col">Count</th>
              <th scope="col">Merge</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={`${r.bytes}:${r.rank}`}>
                <td className="mono">{visible(r.text)}</td>
                <td className="mono">{r.bytes}</td>
                <td>{r.count.toLocaleString('en-US')}</td>
                <td>{r.rank === null ? 'byte' : r.rank + 1}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
