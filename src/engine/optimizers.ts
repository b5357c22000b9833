import * as tf from '@tensorflow/tfjs';
import type { OptimizerKind, OptimizerSpec } from '../experiment/types';
import { optimizerAsRead } from '../experiment/labels';
import { addMany } from './kernels/addMany';
import {
  fusedUpdate,
  fusedUpdateAvailable,
  jsUpdate,
  type HyperValues,
  type UpdateFormulas,
} from './kernels/optimizerUpdate';
import { fastPathsOn, heapView, wasmAddress, wasmMemoryOf } from './kernels/tfjsInternals';
import { hyperArgs, wasmUpdate } from './kernels/wasmUpdate';
import { markWrittenInPlace } from './kernels/inPlaceWrites';

/**
 * Every optimizer in one place behind one interface (as ConvNetJS does), with PyTorch's
 * conventions, so a race between them is one loop and their state can be shown. Each rule is
 * written twice: in tf ops (readable, and used where no fused kernel exists) and as per-element
 * formulas that kernels/optimizerUpdate.ts runs as one kernel per variable (on wasm, compiled to
 * WebAssembly by kernels/wasmUpdate.ts). Tests hold the two equal.
 */
export interface Optimizer {
  /** Apply one update from gradients keyed by variable name, at learning rate lr. */
  step: (grads: tf.NamedTensorMap, lr: number) => void;
  /**
   * The same update done in place on weights and state in the CPU's memory (cpu and wasm), from
   * gradients given in the variables' order: no kernel at all, for tiny models whose step is all
   * overhead. False (nothing done) on other backends.
   */
  stepInPlace: (grads: Float32Array[], lr: number) => boolean;
  /**
   * The update as per-element formulas over flat arrays, for a compiled step that keeps every
   * parameter in one buffer (engine/compiled); null where the rule is not per element (Muon)
   * or the optimizer was made to be the tf-op reference.
   */
  readonly perElement: PerElementUpdate | null;
  /** Steps taken; set when a checkpoint is restored. */
  steps: number;
  /** Per-variable state (e.g. Adam's m and v), keyed by slot name, then variable name. */
  readonly slots: Record<string, Map<string, tf.Variable>>;
  dispose: () => void;
}

export interface PerElementUpdate {
  formulas: UpdateFormulas;
  /** Each slot's variables (formulas.slots order) by the name of the variable they belong to. */
  slotVariables: Map<string, tf.Variable>[];
  /** The formulas' values at learning rate lr and step t, for a weight matrix or (matrix false) a bias. */
  hyper: (lr: number, t: number, matrix: boolean) => HyperValues;
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
  update: (w: tf.Variable, g: tf.Tensor, s: Slots, h: Hyper) => void;
  /** The same update per element (names: see HYPER_NAMES), after weight decay is applied. */
  formulas: string[];
}

/** m ← β₁m + (1−β₁)g; v ← β₂v + (1−β₂)g²; (AMSGrad: vmax ← max(vmax, v)); w ← w − lr·(m/(1−β₁ᵗ)) / (√(v/(1−β₂ᵗ)) + ε) */
function adamRule(amsgrad: boolean, decoupled: boolean): Rule {
  return {
    slots: amsgrad ? ['m', 'v', 'vmax'] : ['m', 'v'],
    decoupled,
    update: (w, g, { m, v, vmax }, h) => {
      m.assign(m.mul(h.beta1).add(g.mul(1 - h.beta1)));
      v.assign(v.mul(h.beta2).add(g.square().mul(1 - h.beta2)));
      if (vmax) vmax.assign(tf.maximum(vmax, v));
      const bc1 = 1 - h.beta1 ** h.t;
      const bc2 = 1 - h.beta2 ** h.t;
      w.assign(w.sub(m.div((vmax ?? v).div(bc2).sqrt().add(h.epsilon)).mul(h.lr / bc1)));
    },
    formulas: [
      'm = beta1 * m + oneMinusBeta1 * g',
      'v = beta2 * v + oneMinusBeta2 * g * g',
      ...(amsgrad
        ? ['vmax = max(vmax, v)', 'w = w - m / (sqrt(vmax / bc2) + eps) * (lr / bc1)']
        : ['w = w - m / (sqrt(v / bc2) + eps) * (lr / bc1)']),
    ],
  };
}

/**
 * PyTorch's RMSprop: s ← ρ·s + (1−ρ)·g²; centered: a ← ρ·a + (1−ρ)·g and s − a² in place of s;
 * the step g / (√s + ε) is taken directly, or (momentum μ > 0) through a buffer b ← μ·b + step.
 */
function rmspropRule(centered: boolean, momentum: boolean): Rule {
  return {
    slots: ['square', ...(centered ? ['gradAvg'] : []), ...(momentum ? ['buffer'] : [])],
    update: (w, g, { square: s, gradAvg: a, buffer: b }, h) => {
      s.assign(s.mul(h.rho).add(g.square().mul(1 - h.rho)));
      if (a) a.assign(a.mul(h.rho).add(g.mul(1 - h.rho)));
      const step = g.div((a ? s.sub(a.square()) : s).sqrt().add(h.epsilon));
      if (b) b.assign(b.mul(h.rmspropMomentum).add(step));
      w.assign(w.sub((b ?? step).mul(h.lr)));
    },
    formulas: [
      'square = rho * square + oneMinusRho * g * g',
      ...(centered
        ? ['gradAvg = rho * gradAvg + oneMinusRho * g', 'g = g / (sqrt(square - gradAvg * gradAvg) + eps)']
        : ['g = g / (sqrt(square) + eps)']),
      ...(momentum ? ['buffer = rmspropMomentum * buffer + g', 'w = w - lr * buffer'] : ['w = w - lr * g']),
    ],
  };
}

const RULES: Record<Exclude<OptimizerKind, 'rmsprop' | 'adam' | 'adamw' | 'muon'>, Rule> = {
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
  /** s ← s + g²; w ← w − lr·g / (√s + ε) */
  adagrad: {
    slots: ['sum'],
    update: (w, g, { sum: s }, h) => {
      s.assign(s.add(g.square()));
      w.assign(w.sub(g.div(s.sqrt().add(h.epsilon)).mul(h.lr)));
    },
    formulas: ['sum = sum + g * g', 'w = w - lr * g / (sqrt(sum) + eps)'],
  },
  /**
   * Lion (Chen et al. 2023): w ← w − lr·sign(β₁m + (1−β₁)g), then m ← β₂m + (1−β₂)g; weight
   * decay decoupled, as its authors' reference code does.
   */
  lion: {
    slots: ['m'],
    decoupled: true,
    update: (w, g, { m }, h) => {
      w.assign(
        w.sub(
          m
            .mul(h.beta1)
            .add(g.mul(1 - h.beta1))
            .sign()
            .mul(h.lr),
        ),
      );
      m.assign(m.mul(h.beta2).add(g.mul(1 - h.beta2)));
    },
    formulas: ['w = w - lr * sign(beta1 * m + oneMinusBeta1 * g)', 'm = beta2 * m + oneMinusBeta2 * g'],
  },
};

/** The rule a spec asks for, with a key naming its variant (for the fused kernel's cache). */
export function ruleFor(spec: OptimizerSpec): { rule: Rule; key: string } {
  switch (spec.kind) {
    case 'muon':
      throw new Error('Muon is no per-element rule: see MuonOptimizer');
    case 'rmsprop': {
      const momentum = spec.rmspropMomentum > 0;
      return {
        rule: rmspropRule(spec.centered, momentum),
        key: `rmsprop${spec.centered ? '_centered' : ''}${momentum ? '_momentum' : ''}`,
      };
    }
    /** AdamW: w ← w·(1 − lr·wd), then the Adam update on the undecayed gradient */
    case 'adam':
    case 'adamw':
      return {
        rule: adamRule(spec.amsgrad, spec.kind === 'adamw'),
        key: `${spec.kind}${spec.amsgrad ? '_amsgrad' : ''}`,
      };
    default:
      return { rule: RULES[spec.kind], key: spec.kind };
  }
}

/** The rule's formulas with weight decay in front: coupled (wd·w added to g) or decoupled (w shrunk). */
export function fusedFormulas(key: string, rule: Rule): UpdateFormulas {
  return { key, slots: rule.slots, assignments: ['g = g + wd * w', 'w = decay * w', ...rule.formulas] };
}

class RuleOptimizer implements Optimizer {
  steps = 0;
  readonly slots: Record<string, Map<string, tf.Variable>>;
  private readonly formulas: UpdateFormulas;

  private readonly rule: Rule;
  private stateCache: tf.Variable[][] | null = null;
  private groupCache: number[][] | null = null;

  constructor(
    private variables: tf.Variable[],
    private spec: OptimizerSpec,
    private fused: boolean,
  ) {
    const { rule, key } = ruleFor(spec);
    this.rule = rule;
    this.formulas = fusedFormulas(key, rule);
    this.slots = Object.fromEntries(
      rule.slots.map((name) => [
        name,
        new Map(variables.map((v) => [v.name, tf.tidy(() => tf.variable(tf.zerosLike(v), false))])),
      ]),
    );
  }

  /** The weight decay of one variable: none on biases and gains (1-D) when the spec asks for matrices only. */
  private decayOf(w: tf.Variable): number {
    return this.spec.decayMatricesOnly && w.rank < 2 ? 0 : this.spec.weightDecay;
  }

  step(grads: tf.NamedTensorMap, lr: number): void {
    const h: Hyper = { ...this.spec, lr, t: this.steps + 1 };
    if (this.fused && fusedUpdateAvailable()) this.fusedStep(grads, h);
    else if (!(this.fused && this.stepInWasmMemory(grads, lr, h.t))) this.tfOpStep(grads, h);
    this.steps = h.t;
  }

  /** The rule in tf ops, a dozen kernels per variable: the reference, and where no kernel of ours runs. */
  private tfOpStep(grads: tf.NamedTensorMap, h: Hyper): void {
    tf.tidy(() => {
      for (const w of this.variables) {
        const wd = this.decayOf(w);
        let g = grads[w.name];
        if (wd > 0 && this.rule.decoupled) w.assign(w.mul(1 - h.lr * wd));
        else if (wd > 0) g = g.add(w.mul(wd));
        const s: Slots = {};
        for (const name of this.rule.slots) s[name] = this.slots[name].get(w.name)!;
        this.rule.update(w, g, s, h);
      }
    });
  }

  get perElement(): PerElementUpdate | null {
    if (!this.fused) return null;
    return {
      formulas: this.formulas,
      slotVariables: this.rule.slots.map((name) => this.slots[name]),
      hyper: (lr, t, matrix) =>
        this.hyperValues(lr, t, this.spec.decayMatricesOnly && !matrix ? 0 : this.spec.weightDecay),
    };
  }

  /** The formulas' hyper-parameters for one variable at this step. */
  private hyperFor(w: tf.Variable, lr: number, t: number): HyperValues {
    return this.hyperValues(lr, t, this.decayOf(w));
  }

  private hyperValues(lr: number, t: number, wd: number): HyperValues {
    const h = this.spec;
    return {
      lr,
      momentum: h.momentum,
      beta1: h.beta1,
      beta2: h.beta2,
      oneMinusBeta1: 1 - h.beta1,
      oneMinusBeta2: 1 - h.beta2,
      bc1: 1 - h.beta1 ** t,
      bc2: 1 - h.beta2 ** t,
      rho: h.rho,
      oneMinusRho: 1 - h.rho,
      rmspropMomentum: h.rmspropMomentum,
      eps: h.epsilon,
      wd: this.rule.decoupled ? 0 : wd,
      decay: this.rule.decoupled ? 1 - lr * wd : 1,
    };
  }

  private fusedStep(grads: tf.NamedTensorMap, h: Hyper): void {
    tf.tidy(() => {
      for (const w of this.variables) {
        const slots = this.rule.slots.map((name) => this.slots[name].get(w.name)!);
        const [newW, ...newSlots] = fusedUpdate(this.formulas, w, grads[w.name], slots, this.hyperFor(w, h.lr, h.t));
        w.assign(newW);
        slots.forEach((s, i) => s.assign(newSlots[i]));
      }
    });
  }

  /**
   * On wasm, every variable updated in place by the formulas compiled to WebAssembly
   * (kernels/wasmUpdate.ts), one call per variable; false off wasm.
   */
  private stepInWasmMemory(grads: tf.NamedTensorMap, lr: number, t: number): boolean {
    if (!fastPathsOn()) return false;
    const b = tf.backend();
    const memory = wasmMemoryOf(b);
    const update = memory && wasmUpdate(this.formulas, memory);
    if (!update) return false;
    const states = this.states();
    for (const state of states) for (const v of state) ownMemory(b, v); // every allocation before any address
    for (const [w, ...slots] of states) {
      const at = (x: tf.TensorInfo) => wasmAddress(b, x);
      update(w.size, at(w), at(grads[w.name]), ...slots.map(at), ...hyperArgs(this.hyperFor(w, lr, t)));
      markWrittenInPlace(w); // so no matmul uses a stale packed copy
    }
    return true;
  }

  stepInPlace(grads: Float32Array[], lr: number): boolean {
    const backend = tf.getBackend();
    if ((backend !== 'cpu' && backend !== 'wasm') || !fastPathsOn()) return false;
    this.updateInPlace(this.decayGroups(), (i) => grads[i], lr, this.steps + 1);
    this.steps += 1;
    return true;
  }

  /**
   * The update in plain JavaScript, in place, for the variables in `groups` (indices, grouped by
   * weight decay: one pass per group), with variable i's gradient from gradOf(i).
   */
  private updateInPlace(groups: number[][], gradOf: (i: number) => Float32Array, lr: number, t: number): void {
    const b = tf.backend();
    const states = this.states();
    // Writing in place is safe only where no other tensor shares the memory; copy where one does.
    // Every copy before any view: on wasm an allocation can move the heap.
    for (const members of groups) for (const i of members) for (const v of states[i]) ownMemory(b, v);
    const update = jsUpdate(this.formulas);
    for (const members of groups) {
      const views = members.map((i) => states[i].map((v) => heapView(b, v)));
      const weights = views.map((v) => v[0]);
      const slots = this.rule.slots.map((_, k) => views.map((v) => v[1 + k]));
      const hyper = this.hyperFor(this.variables[members[0]], lr, t);
      update(weights, members.map(gradOf), slots, weights, slots, hyper);
      for (const i of members) markWrittenInPlace(this.variables[i]); // so no matmul uses a stale packed copy
    }
  }

  /** Each variable with its slots (the same Variable objects for the optimizer's life). */
  private states(): tf.Variable[][] {
    return (this.stateCache ??= this.variables.map((w) => [
      w,
      ...this.rule.slots.map((name) => this.slots[name].get(w.name)!),
    ]));
  }

  /**
   * The variables grouped by weight decay, the only hyper-parameter that differs between them, so
   * each group is one pass of the update (on a 2-8-8-1 MLP one pass instead of six).
   */
  private decayGroups(): number[][] {
    if (!this.groupCache) {
      const groups = new Map<number, number[]>();
      this.variables.forEach((w, i) => {
        const decay = this.decayOf(w);
        groups.set(decay, [...(groups.get(decay) ?? []), i]);
      });
      this.groupCache = [...groups.values()];
    }
    return this.groupCache;
  }

  dispose(): void {
    for (const slot of Object.values(this.slots)) slot.forEach((v) => v.dispose());
  }
}

/** Gives `v` memory of its own when another tensor shares it (tf.clone and assign share memory). */
function ownMemory(backend: tf.KernelBackend, v: tf.Variable): void {
  if (backend.refCount(v.dataId) > 1) tf.tidy(() => v.assign(tf.tensor(v.dataSync().slice(), v.shape, v.dtype)));
}

/** Muon's Newton–Schulz iteration: Keller Jordan's quintic coefficients, five steps. */
const NEWTON_SCHULZ = { a: 3.4445, b: -4.775, c: 2.0315, steps: 5, eps: 1e-7 };

/**
 * The nearest semi-orthogonal matrix to g, approximately (U·Vᵀ of its SVD, singular values pushed
 * towards 1), by the iteration X ← aX + (bA + cA²)X with A = X·Xᵀ on the wide orientation, so A
 * is the smaller Gram matrix.
 */
export function orthogonalize(g: tf.Tensor2D): tf.Tensor2D {
  const { a, b, c, steps, eps } = NEWTON_SCHULZ;
  const tall = g.shape[0] > g.shape[1];
  let x: tf.Tensor2D = tall ? g.transpose() : g;
  x = x.div(x.norm().add(eps));
  for (let i = 0; i < steps; i++) {
    const gram = tf.matMul(x, x, false, true);
    const poly = gram.mul(b).add(tf.matMul(gram, gram).mul(c)) as tf.Tensor2D;
    x = x.mul(a).add(tf.matMul(poly, x));
  }
  return tall ? (x.transpose() as tf.Tensor2D) : x;
}

/**
 * Muon (Jordan et al. 2024) for the weight matrices, AdamW for everything else (biases, gains), as
 * its authors pair them. Per matrix W [inputs, outputs]: b ← μb + (1−μ)g; the Nesterov direction
 * u = (1−μ)g + μb, orthogonalised; W ← W·(1 − lr·wd) − lr·√max(1, outputs/inputs)·orth(u). The
 * scale is the authors' fan-out/fan-in (rows/columns of PyTorch's [out, in] weight). Matrix work
 * cannot be a per-element kernel, so Muon's matrices always step in tf ops.
 */
class MuonOptimizer implements Optimizer {
  readonly perElement = null;
  readonly slots: Record<string, Map<string, tf.Variable>>;
  private readonly matrices: tf.Variable[];
  private readonly buffers: Map<string, tf.Variable>;
  private readonly rest: Optimizer | null;
  private taken = 0;

  constructor(
    variables: tf.Variable[],
    private spec: OptimizerSpec,
    fused: boolean,
  ) {
    this.matrices = variables.filter((v) => v.rank === 2);
    const others = variables.filter((v) => v.rank !== 2);
    this.rest = others.length ? new RuleOptimizer(others, { ...spec, kind: 'adamw' }, fused) : null;
    this.buffers = new Map(this.matrices.map((v) => [v.name, tf.tidy(() => tf.variable(tf.zerosLike(v), false))]));
    this.slots = { momentum: this.buffers, ...this.rest?.slots };
  }

  get steps(): number {
    return this.taken;
  }

  set steps(n: number) {
    this.taken = n;
    if (this.rest) this.rest.steps = n;
  }

  step(grads: tf.NamedTensorMap, lr: number): void {
    const mu = this.spec.momentum;
    tf.tidy(() => {
      for (const w of this.matrices) {
        const g = grads[w.name];
        const b = this.buffers.get(w.name)!;
        b.assign(b.mul(mu).add(g.mul(1 - mu)));
        const direction = orthogonalize(g.mul(1 - mu).add(b.mul(mu)) as tf.Tensor2D);
        const [inputs, outputs] = w.shape;
        const scale = Math.sqrt(Math.max(1, outputs / inputs));
        w.assign(w.mul(1 - lr * this.spec.weightDecay).sub(direction.mul(lr * scale)));
      }
    });
    this.rest?.step(grads, lr);
    this.steps = this.taken + 1;
  }

  stepInPlace(): boolean {
    return false;
  }

  dispose(): void {
    this.buffers.forEach((v) => v.dispose());
    this.rest?.dispose();
  }
}

/** `fused: false` keeps the tf-op update even where a fused kernel exists (the reference in tests). */
export function createOptimizer(given: OptimizerSpec, variables: tf.Variable[], { fused = true } = {}): Optimizer {
  // Only what the kind reads: a switch left on under another kind (AMSGrad, then Muon) is inert.
  const spec = optimizerAsRead(given);
  return spec.kind === 'muon' ? new MuonOptimizer(variables, spec, fused) : new RuleOptimizer(variables, spec, fused);
}

/** Scale gradients so their global L2 norm is at most maxNorm (PyTorch's clip_grad_norm_). */
export function clipByGlobalNorm(grads: tf.NamedTensorMap, maxNorm: number): tf.NamedTensorMap {
  const names = Object.keys(grads);
  const norm = addMany(names.map((n) => grads[n].square().sum())).sqrt();
  const scale = tf.minimum(tf.scalar(1), tf.scalar(maxNorm).div(norm.add(1e-6)));
  return Object.fromEntries(names.map((n) => [n, grads[n].mul(scale)]));
}

/** clipByGlobalNorm for gradients held as arrays (the host step): scaled copies where the norm exceeds maxNorm. */
export function clipArraysByGlobalNorm(grads: Float32Array[], maxNorm: number): Float32Array[] {
  const norm = Math.sqrt(grads.reduce((sum, g) => sum + g.reduce((s, v) => s + v * v, 0), 0));
  const scale = Math.min(1, maxNorm / (norm + 1e-6));
  return scale === 1 ? grads : grads.map((g) => g.map((v) => v * scale));
}
