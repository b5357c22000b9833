import * as tf from '@tensorflow/tfjs';
import type { OptimizerSpec } from '../spec/types';

/**
 * Every optimizer behind one interface (as ConvNetJS does), written out in tf ops so that
 * its state can be inspected and its updates follow PyTorch's conventions exactly.
 */
export interface Optimizer {
  /** Apply one update from gradients keyed by variable name. */
  step(grads: tf.NamedTensorMap): void;
  readonly steps: number;
  dispose(): void;
}

function zerosLike(variables: tf.Variable[]): Map<string, tf.Variable> {
  return new Map(variables.map((v) => [v.name, tf.tidy(() => tf.variable(tf.zerosLike(v), false))]));
}

/** SGD, optionally with (heavy-ball) momentum: b ← μ·b + g; w ← w − lr·b. */
class Sgd implements Optimizer {
  steps = 0;
  private velocity: Map<string, tf.Variable> | null;

  constructor(private variables: tf.Variable[], private lr: number, private momentum: number) {
    this.velocity = momentum > 0 ? zerosLike(variables) : null;
  }

  step(grads: tf.NamedTensorMap): void {
    tf.tidy(() => {
      for (const w of this.variables) {
        let update = grads[w.name];
        if (this.velocity) {
          const b = this.velocity.get(w.name)!;
          b.assign(b.mul(this.momentum).add(update));
          update = b;
        }
        w.assign(w.sub(update.mul(this.lr)));
      }
    });
    this.steps++;
  }

  dispose(): void {
    this.velocity?.forEach((v) => v.dispose());
  }
}

/**
 * Adam: m ← β₁m + (1−β₁)g; v ← β₂v + (1−β₂)g²;
 * w ← w − lr · (m / (1−β₁ᵗ)) / (√(v / (1−β₂ᵗ)) + ε).
 */
class Adam implements Optimizer {
  steps = 0;
  readonly m: Map<string, tf.Variable>;
  readonly v: Map<string, tf.Variable>;

  constructor(private variables: tf.Variable[], private spec: OptimizerSpec) {
    this.m = zerosLike(variables);
    this.v = zerosLike(variables);
  }

  step(grads: tf.NamedTensorMap): void {
    const t = this.steps + 1;
    const { learningRate: lr, beta1: b1, beta2: b2, epsilon } = this.spec;
    const bc1 = 1 - b1 ** t;
    const bc2 = 1 - b2 ** t;
    tf.tidy(() => {
      for (const w of this.variables) {
        const g = grads[w.name];
        const m = this.m.get(w.name)!;
        const v = this.v.get(w.name)!;
        m.assign(m.mul(b1).add(g.mul(1 - b1)));
        v.assign(v.mul(b2).add(g.square().mul(1 - b2)));
        const denom = v.div(bc2).sqrt().add(epsilon);
        w.assign(w.sub(m.div(denom).mul(lr / bc1)));
      }
    });
    this.steps = t;
  }

  dispose(): void {
    this.m.forEach((x) => x.dispose());
    this.v.forEach((x) => x.dispose());
  }
}

export function createOptimizer(spec: OptimizerSpec, variables: tf.Variable[]): Optimizer {
  switch (spec.kind) {
    case 'sgd': return new Sgd(variables, spec.learningRate, spec.momentum);
    case 'adam': return new Adam(variables, spec);
  }
}
