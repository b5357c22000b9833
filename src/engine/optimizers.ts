import * as tf from '@tensorflow/tfjs';
import type { OptimizerKind, OptimizerSpec } from '../spec/types';

/**
 * Every optimizer in one place behind one interface (as ConvNetJS does), written out in tf ops
 * with PyTorch's conventions, so a race between them is one loop and their state can be shown.
 */
export interface Optimizer {
  /** Apply one update from gradients keyed by variable name, at learning rate lr. */
  step(grads: tf.NamedTensorMap, lr: number): void;
  readonly steps: number;
  /** Per-variable state (e.g. Adam's m and v), keyed by slot name, then variable name. */
  readonly slots: Record<string, Map<string, tf.Variable>>;
  dispose(): void;
}

type Slots = Record<string, tf.Variable>;
interface Hyper extends OptimizerSpec {
  lr: number;
  /** 1-based step number (Adam's bias correction). */
  t: number;
}

interface Rule {
  slots: string[];
  /** Decoupled weight decay (AdamW) rather than adding wd·w to the gradient. */
  decoupled?: boolean;
  /** Assign the new weight (and slots) given gradient g. */
  update(w: tf.Variable, g: tf.Tensor, s: Slots, h: Hyper): void;
}

function adamUpdate(w: tf.Variable, g: tf.Tensor, { m, v }: Slots, h: Hyper): void {
  m.assign(m.mul(h.beta1).add(g.mul(1 - h.beta1)));
  v.assign(v.mul(h.beta2).add(g.square().mul(1 - h.beta2)));
  const bc1 = 1 - h.beta1 ** h.t;
  const bc2 = 1 - h.beta2 ** h.t;
  w.assign(w.sub(m.div(v.div(bc2).sqrt().add(h.epsilon)).mul(h.lr / bc1)));
}

export const RULES: Record<OptimizerKind, Rule> = {
  /** w ← w − lr·g */
  sgd: { slots: [], update: (w, g, _, h) => w.assign(w.sub(g.mul(h.lr))) },
  /** b ← μ·b + g; w ← w − lr·b (heavy ball) */
  momentum: {
    slots: ['velocity'],
    update: (w, g, { velocity: b }, h) => {
      b.assign(b.mul(h.momentum).add(g));
      w.assign(w.sub(b.mul(h.lr)));
    },
  },
  /** b ← μ·b + g; w ← w − lr·(g + μ·b) */
  nesterov: {
    slots: ['velocity'],
    update: (w, g, { velocity: b }, h) => {
      b.assign(b.mul(h.momentum).add(g));
      w.assign(w.sub(g.add(b.mul(h.momentum)).mul(h.lr)));
    },
  },
  /** s ← ρ·s + (1−ρ)·g²; w ← w − lr·g / (√s + ε) */
  rmsprop: {
    slots: ['square'],
    update: (w, g, { square: s }, h) => {
      s.assign(s.mul(h.rho).add(g.square().mul(1 - h.rho)));
      w.assign(w.sub(g.div(s.sqrt().add(h.epsilon)).mul(h.lr)));
    },
  },
  /** s ← s + g²; w ← w − lr·g / (√s + ε) */
  adagrad: {
    slots: ['sum'],
    update: (w, g, { sum: s }, h) => {
      s.assign(s.add(g.square()));
      w.assign(w.sub(g.div(s.sqrt().add(h.epsilon)).mul(h.lr)));
    },
  },
  /** m ← β₁m + (1−β₁)g; v ← β₂v + (1−β₂)g²; w ← w − lr·(m/(1−β₁ᵗ)) / (√(v/(1−β₂ᵗ)) + ε) */
  adam: { slots: ['m', 'v'], update: adamUpdate },
  /** w ← w·(1 − lr·wd), then the Adam update on the undecayed gradient */
  adamw: { slots: ['m', 'v'], decoupled: true, update: adamUpdate },
};

class RuleOptimizer implements Optimizer {
  steps = 0;
  readonly slots: Record<string, Map<string, tf.Variable>>;

  constructor(private variables: tf.Variable[], private spec: OptimizerSpec, private rule: Rule) {
    this.slots = Object.fromEntries(
      rule.slots.map((name) => [
        name,
        new Map(variables.map((v) => [v.name, tf.tidy(() => tf.variable(tf.zerosLike(v), false))])),
      ]),
    );
  }

  step(grads: tf.NamedTensorMap, lr: number): void {
    const h: Hyper = { ...this.spec, lr, t: this.steps + 1 };
    const wd = this.spec.weightDecay;
    tf.tidy(() => {
      for (const w of this.variables) {
        let g = grads[w.name];
        if (wd > 0 && this.rule.decoupled) w.assign(w.mul(1 - lr * wd));
        else if (wd > 0) g = g.add(w.mul(wd));
        const s: Slots = {};
        for (const name of this.rule.slots) s[name] = this.slots[name].get(w.name)!;
        this.rule.update(w, g, s, h);
      }
    });
    this.steps = h.t;
  }

  dispose(): void {
    for (const slot of Object.values(this.slots)) slot.forEach((v) => v.dispose());
  }
}

export function createOptimizer(spec: OptimizerSpec, variables: tf.Variable[]): Optimizer {
  return new RuleOptimizer(variables, spec, RULES[spec.kind]);
}

/** Scale gradients so their global L2 norm is at most maxNorm (PyTorch's clip_grad_norm_). */
export function clipByGlobalNorm(grads: tf.NamedTensorMap, maxNorm: number): tf.NamedTensorMap {
  const names = Object.keys(grads);
  const norm = tf.addN(names.map((n) => grads[n].square().sum())).sqrt();
  const scale = tf.minimum(tf.scalar(1), tf.scalar(maxNorm).div(norm.add(1e-6)));
  return Object.fromEntries(names.map((n) => [n, grads[n].mul(scale)]));
}
