import * as tf from '@tensorflow/tfjs';
import type { OptimizerKind, OptimizerSpec } from '../spec/types';
import { fusedUpdate, fusedUpdateAvailable, type HyperValues, type UpdateFormulas } from './kernels/optimizerUpdate';

/**
 * Every optimizer in one place behind one interface (as ConvNetJS does), with PyTorch's
 * conventions, so a race between them is one loop and their state can be shown. Each rule is
 * written twice: in tf ops (readable, and used where no fused kernel exists) and as per-element
 * formulas that kernels/optimizerUpdate.ts runs as one kernel per variable. Tests hold the two equal.
 */
export interface Optimizer {
  /** Apply one update from gradients keyed by variable name, at learning rate lr. */
  step(grads: tf.NamedTensorMap, lr: number): void;
  /** Steps taken; set when a checkpoint is restored. */
  steps: number;
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
  /** The same update per element (names: see HYPER_NAMES), after weight decay is applied. */
  formulas: string[];
}

function adamUpdate(w: tf.Variable, g: tf.Tensor, { m, v }: Slots, h: Hyper): void {
  m.assign(m.mul(h.beta1).add(g.mul(1 - h.beta1)));
  v.assign(v.mul(h.beta2).add(g.square().mul(1 - h.beta2)));
  const bc1 = 1 - h.beta1 ** h.t;
  const bc2 = 1 - h.beta2 ** h.t;
  w.assign(w.sub(m.div(v.div(bc2).sqrt().add(h.epsilon)).mul(h.lr / bc1)));
}

const ADAM_FORMULAS = [
  'm = beta1 * m + oneMinusBeta1 * g',
  'v = beta2 * v + oneMinusBeta2 * g * g',
  'w = w - m / (sqrt(v / bc2) + eps) * (lr / bc1)',
];

export const RULES: Record<OptimizerKind, Rule> = {
  /** w ← w − lr·g */
  sgd: { slots: [], update: (w, g, _, h) => w.assign(w.sub(g.mul(h.lr))), formulas: ['w = w - lr * g'] },
  /** b ← μ·b + g; w ← w − lr·b (heavy ball) */
  momentum: {
    slots: ['velocity'],
    update: (w, g, { velocity: b }, h) => {
      b.assign(b.mul(h.momentum).add(g));
      w.assign(w.sub(b.mul(h.lr)));
    },
    formulas: ['velocity = momentum * velocity + g', 'w = w - lr * velocity'],
  },
  /** b ← μ·b + g; w ← w − lr·(g + μ·b) */
  nesterov: {
    slots: ['velocity'],
    update: (w, g, { velocity: b }, h) => {
      b.assign(b.mul(h.momentum).add(g));
      w.assign(w.sub(g.add(b.mul(h.momentum)).mul(h.lr)));
    },
    formulas: ['velocity = momentum * velocity + g', 'w = w - lr * (g + momentum * velocity)'],
  },
  /** s ← ρ·s + (1−ρ)·g²; w ← w − lr·g / (√s + ε) */
  rmsprop: {
    slots: ['square'],
    update: (w, g, { square: s }, h) => {
      s.assign(s.mul(h.rho).add(g.square().mul(1 - h.rho)));
      w.assign(w.sub(g.div(s.sqrt().add(h.epsilon)).mul(h.lr)));
    },
    formulas: ['square = rho * square + oneMinusRho * g * g', 'w = w - lr * g / (sqrt(square) + eps)'],
  },
  /** s ← s + g²; w ← w − lr·g / (√s + ε) */
  adagrad: {
    slots: ['sum'],
    update: (w, g, { sum: s }, h) => {
      s.assign(s.add(g.square()));
      w.assign(w.sub(g.div(s.sqrt().add(h.epsilon)).mul(h.lr)));
    },
    formulas: ['sum = sum + g * g', 'w = w - lr * g / (sqrt(sum) + eps)'],
  },
  /** m ← β₁m + (1−β₁)g; v ← β₂v + (1−β₂)g²; w ← w − lr·(m/(1−β₁ᵗ)) / (√(v/(1−β₂ᵗ)) + ε) */
  adam: { slots: ['m', 'v'], update: adamUpdate, formulas: ADAM_FORMULAS },
  /** w ← w·(1 − lr·wd), then the Adam update on the undecayed gradient */
  adamw: { slots: ['m', 'v'], decoupled: true, update: adamUpdate, formulas: ADAM_FORMULAS },
};

/** The rule's formulas with weight decay in front: coupled (wd·w added to g) or decoupled (w shrunk). */
function fusedFormulas(kind: OptimizerKind, rule: Rule): UpdateFormulas {
  return { key: kind, slots: rule.slots, assignments: ['g = g + wd * w', 'w = decay * w', ...rule.formulas] };
}

class RuleOptimizer implements Optimizer {
  steps = 0;
  readonly slots: Record<string, Map<string, tf.Variable>>;
  private readonly formulas: UpdateFormulas;

  constructor(private variables: tf.Variable[], private spec: OptimizerSpec, private rule: Rule, private fused: boolean) {
    this.formulas = fusedFormulas(spec.kind, rule);
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
    if (this.fused && fusedUpdateAvailable()) this.fusedStep(grads, h);
    else tf.tidy(() => {
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

  private fusedStep(grads: tf.NamedTensorMap, h: Hyper): void {
    const wd = h.weightDecay;
    const hyper: HyperValues = {
      lr: h.lr, momentum: h.momentum, beta1: h.beta1, beta2: h.beta2, oneMinusBeta1: 1 - h.beta1, oneMinusBeta2: 1 - h.beta2,
      bc1: 1 - h.beta1 ** h.t, bc2: 1 - h.beta2 ** h.t, rho: h.rho, oneMinusRho: 1 - h.rho, eps: h.epsilon,
      wd: this.rule.decoupled ? 0 : wd, decay: this.rule.decoupled ? 1 - h.lr * wd : 1,
    };
    tf.tidy(() => {
      for (const w of this.variables) {
        const slots = this.rule.slots.map((name) => this.slots[name].get(w.name)!);
        const [newW, ...newSlots] = fusedUpdate(this.formulas, w, grads[w.name], slots, hyper);
        w.assign(newW);
        slots.forEach((s, i) => s.assign(newSlots[i]));
      }
    });
  }

  dispose(): void {
    for (const slot of Object.values(this.slots)) slot.forEach((v) => v.dispose());
  }
}

/** `fused: false` keeps the tf-op update even where a fused kernel exists (the reference in tests). */
export function createOptimizer(spec: OptimizerSpec, variables: tf.Variable[], { fused = true } = {}): Optimizer {
  return new RuleOptimizer(variables, spec, RULES[spec.kind], fused);
}

/** Scale gradients so their global L2 norm is at most maxNorm (PyTorch's clip_grad_norm_). */
export function clipByGlobalNorm(grads: tf.NamedTensorMap, maxNorm: number): tf.NamedTensorMap {
  const names = Object.keys(grads);
  const norm = tf.addN(names.map((n) => grads[n].square().sum())).sqrt();
  const scale = tf.minimum(tf.scalar(1), tf.scalar(maxNorm).div(norm.add(1e-6)));
  return Object.fromEntries(names.map((n) => [n, grads[n].mul(scale)]));
}
