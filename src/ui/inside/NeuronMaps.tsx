import { memo, useEffect, useRef } from 'react';
import type { Inspection } from '../../engine/types';
import type { Activation } from '../../experiment';
import { divergingColor } from '../colors';

/** Map an activation value to [0, 1] for colouring: bounded activations by their range, others by scale. */
function unit(v: number, activation: Activation, scale: number): number {
  if (activation === 'sigmoid') return v;
  if (activation === 'tanh') return (v + 1) / 2;
  return (v / scale + 1) / 2;
}

function NeuronMap({
  values,
  units,
  unitIndex,
  res,
  activation,
}: {
  values: Float32Array;
  units: number;
  unitIndex: number;
  res: number;
  activation: Activation;
}) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const ctx = ref.current?.getContext('2d');
    if (!ctx) return;
    let scale = 1e-9;
    for (let p = 0; p < res * res; p++) scale = Math.max(scale, Math.abs(values[p * units + unitIndex]));
    const image = ctx.createImageData(res, res);
    for (let p = 0; p < res * res; p++) {
      const [r, g, b] = divergingColor(unit(values[p * units + unitIndex], activation, scale));
      image.data.set([r, g, b, 255], p * 4);
    }
    ctx.putImageData(image, 0, 0);
  }, [values, units, unitIndex, res, activation]);
  return <canvas ref={ref} width={res} height={res} className="neuron-map" title={`unit ${unitIndex}`} />;
}

/** What each hidden neuron computes over the input plane (TensorFlow Playground style). */
export const NeuronMaps = memo(function NeuronMaps({ inspection }: { inspection: Inspection }) {
  const { resolution, layers } = inspection.neuronMaps;
  return (
    <div className="neuron-maps" data-testid="neuron-maps">
      {layers.map((values, l) => {
        const layer = inspection.layers[l];
        return (
          <div key={l} className="neuron-layer">
            <div className="small muted">
              {layer.name} ({layer.activation})
            </div>
            <div className="neuron-row">
              {Array.from({ length: Math.min(layer.outputs, 32) }, (_, j) => (
                <NeuronMap
                  key={j}
                  values={values}
                  units={layer.outputs}
                  unitIndex={j}
                  res={resolution}
                  activation={layer.activation}
                />
              ))}
              {layer.outputs > 32 && <span className="small muted">+{layer.outputs - 32} more</span>}
            </div>
          </div>
        );
      })}
    </div>
  );
});
