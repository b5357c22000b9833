import type { ToySnapshot } from '../../engine/types';

/** A few validation problems with the model's answer (each answer token predicted from the true ones before it). */
export function ToyView({ toy }: { toy: ToySnapshot | undefined }) {
  if (!toy) return <p className="muted">Train to see the model answer held-out problems.</p>;
  return (
    <table className="toy mono" data-testid="toy-examples">
      <thead>
        <tr>
          <th>Prompt</th>
          <th>Answer</th>
          <th>Model</th>
          <th />
        </tr>
      </thead>
      <tbody>
        {toy.examples.map((e, i) => (
          <tr key={i}>
            <td>{e.prompt}</td>
            <td>{e.target}</td>
            <td>
              {[...e.predicted].map((c, k) => (
                <span key={k} className={c === e.target[k] ? '' : 'wrong'}>
                  {c}
                </span>
              ))}
            </td>
            <td>{e.predicted === e.target ? '✓' : '✗'}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
