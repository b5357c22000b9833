// One layer of a layer list in the model builder: its name, what it costs, move and remove buttons, and its fields.
import type { ReactNode } from 'react';

export function LayerRow({
  title,
  detail,
  note,
  index,
  count,
  testId,
  onMove,
  onRemove,
  children,
}: {
  title: string;
  /** What the layer makes or costs, beside its name: "28×28×6", "156 params". */
  detail: string;
  /** A line under the name, for more than fits beside it. */
  note?: string;
  index: number;
  count: number;
  testId: string;
  onMove: (to: number) => void;
  onRemove: () => void;
  children: ReactNode;
}) {
  return (
    <li className="layer" data-testid={testId}>
      <div className="layer-head">
        <strong>{title}</strong>
        <span className="params">{detail}</span>
        <span className="layer-buttons">
          <button
            type="button"
            aria-label={`Move ${title} up`}
            disabled={index === 0}
            onClick={() => onMove(index - 1)}
          >
            ↑
          </button>
          <button
            type="button"
            aria-label={`Move ${title} down`}
            disabled={index === count - 1}
            onClick={() => onMove(index + 1)}
          >
            ↓
          </button>
          <button type="button" aria-label={`Remove ${title}`} onClick={onRemove}>
            ✕
          </button>
        </span>
      </div>
      {note && <div className="layer-note">{note}</div>}
      {children}
    </li>
  );
}

/** Move list[from] to position `to`. */
export function moveItem<T>(list: T[], from: number, to: number): void {
  const [item] = list.splice(from, 1);
  list.splice(to, 0, item);
}
