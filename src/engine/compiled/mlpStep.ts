// A plain MLP's whole training step on WebGPU as one compute pass and one submit, made once per
// run (compiled/mlpShaders.ts has the kernels). Weights, gradients and each optimizer slot live in
// flat arenas of our own, the batch's activations in a planned one; every pipeline and bind group
// is made here, once. tfjs keeps the model's variables: after each step's pass the new weights and
// slots are copied into the variables' own buffers (copies, not dispatches), so evaluation, views,
// checkpoints and step mode read them as after any other step, and a plan made later (or the tf-op
// step, if this one stops) starts from them. The batch's loss is copied into a tf scalar, kept on
// the device with the epoch's others as on the tf-op path.
import * as tf from '@tensorflow/tfjs';
import type { ClassificationLoss } from '../../experiment/types';
import type { Task } from '../losses';
import type { PlainLayer } from '../mlp';
import type { PerElementUpdate } from '../optimizers';
import { HYPER_NAMES, type HyperValues } from '../kernels/optimizerUpdate';
import {
  forgetCpuCopy,
  gpuBufferOf,
  newGpuTensor,
  sharersOf,
  submitTfjsCommands,
  webgpuDevice,
} from '../kernels/tfjsInternals';
import {
  backwardKernel,
  BIAS_HYPER_AT,
  forwardKernel,
  lossKernel,
  mlpLayout,
  penaltyKernel,
  SCALAR_FLOATS,
  SCALAR_LOSS,
  STEP_UNIFORM_BYTES,
  updateKernel,
  type Binding,
  type KernelSource,
  type MlpLayout,
} from './mlpShaders';

export interface CompiledMlpSetup {
  layers: PlainLayer[];
  /** The training set on the device: rows of inputs, and each row's target. */
  x: tf.Tensor2D;
  y: tf.Tensor1D;
  /** Rows per step. */
  rows: number;
  task: Task;
  loss: ClassificationLoss;
  update: PerElementUpdate;
  penalty: { l1: number; l2: number };
  clipNorm: number;
}

interface Dispatch {
  label: string;
  pipeline: GPUComputePipeline;
  bindGroup: GPUBindGroup;
  workgroups: [number, number, number];
}

/** The bindings the kernels only read (mlpShaders.ts declares them read-only). */
const READ_ONLY = new Set<Binding>(['x', 'y', 'perm', 'masks']);

let dispatchesRecorded = 0;
let liveBuffers = 0;
let liveBytes = 0;
let enabled = true;

/** Tests and the bench: whether learners may use compiled steps (off: the tf-op step, for comparison). */
export function setCompiledSteps(on: boolean): void {
  enabled = on;
}
export const compiledStepsEnabled = (): boolean => enabled;

/** Compute dispatches compiled steps have recorded (the bench's counter adds them to tfjs' own). */
export const compiledDispatches = (): number => dispatchesRecorded;
/** GPU buffers the compiled steps hold now (tests: none once every run has ended). */
export const compiledBuffersAlive = (): number => liveBuffers;
/** Their bytes, counted with tfjs' own in the memory figures. */
export const compiledBytesAlive = (): number => liveBytes;

function layoutOf({ layers, rows }: CompiledMlpSetup): MlpLayout {
  const widths = [layers[0].kernel.shape[0], ...layers.map((l) => l.kernel.shape[1] as number)];
  const activations = layers.map((l, i) => (i === layers.length - 1 ? 'linear' : l.activation));
  const dropout = layers.map((l, i) => (i === layers.length - 1 ? 0 : l.dropout));
  return mlpLayout(
    rows,
    widths,
    activations,
    dropout,
    layers.map((l) => l.residual),
  );
}

function kernelsOf(p: MlpLayout, setup: CompiledMlpSetup): KernelSource[] {
  const layers = setup.layers;
  return [
    ...layers.map((_, l) => forwardKernel(p, l)),
    lossKernel(p, setup.task, setup.loss),
    ...layers.map((_, l) => backwardKernel(p, layers.length - 1 - l)),
    ...(setup.penalty.l1 > 0 || setup.penalty.l2 > 0 || setup.clipNorm > 0
      ? [penaltyKernel(p, setup.penalty.l1, setup.penalty.l2)]
      : []),
    updateKernel(p, setup.update.formulas, setup.clipNorm),
  ];
}

/**
 * Whether the device's limits allow the plan: every buffer it binds within the largest binding
 * (the training set included) and every dispatch within the workgroups per dimension. A bigger
 * model or data set trains through tf ops, which split their work.
 */
export function compiledMlpFits(setup: CompiledMlpSetup, permCapacity: number): boolean {
  const { limits } = webgpuDevice(tf.backend());
  const p = layoutOf(setup);
  const bytes = [setup.x.size, p.parameters, p.activationFloats, p.maskFloats, permCapacity].map((n) => 4 * n);
  const largest = Math.min(limits.maxStorageBufferBindingSize, limits.maxBufferSize);
  const workgroups = kernelsOf(p, setup).flatMap((k) => k.workgroups);
  return Math.max(...bytes) <= largest && Math.max(...workgroups) <= limits.maxComputeWorkgroupsPerDimension;
}

export class CompiledMlpStep {
  readonly layout: MlpLayout;
  /** Bytes of GPU memory this plan holds beyond tfjs' tensors. */
  readonly bytes: number;
  /** Why the GPU rejected the plan's shaders, once known; the step then goes back to tf ops. */
  failure: string | null = null;
  /** Settles once the GPU has judged the plan's shaders and bindings (failure says how). */
  readonly checked: Promise<void>;
  private readonly device: GPUDevice;
  private readonly backend: tf.KernelBackend;
  private readonly buffers: GPUBuffer[] = [];
  private readonly params: GPUBuffer;
  private readonly grads: GPUBuffer;
  private readonly slots: GPUBuffer[];
  private readonly scalars: GPUBuffer;
  private readonly stepUniform: GPUBuffer;
  private readonly perm: GPUBuffer;
  private readonly masks: GPUBuffer;
  /** The step's dropout multipliers, written to `masks` before its pass. */
  private readonly maskValues: Float32Array;
  private readonly dispatches: Dispatch[];
  /** Compute dispatches in each step's pass. */
  get dispatchesPerStep(): number {
    return this.dispatches.length;
  }
  private readonly uniformData = new ArrayBuffer(STEP_UNIFORM_BYTES);
  /** The order tensor last copied into `perm` (a new one each epoch). */
  private permSource: object | null = null;
  private loaded = false;
  private disposed = false;

  constructor(
    private readonly setup: CompiledMlpSetup,
    permCapacity: number,
  ) {
    this.backend = tf.backend();
    this.device = webgpuDevice(this.backend);
    const p = (this.layout = layoutOf(setup));
    const storage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;
    const floats = (n: number, usage = storage) => this.buffer(Math.max(4, 4 * n), usage);
    this.params = floats(p.parameters);
    this.grads = floats(p.parameters);
    this.slots = setup.update.formulas.slots.map(() => floats(p.parameters));
    const acts = floats(p.activationFloats);
    this.scalars = floats(SCALAR_FLOATS);
    this.perm = floats(permCapacity);
    this.masks = floats(p.maskFloats);
    this.maskValues = new Float32Array(p.maskFloats);
    this.stepUniform = this.buffer(STEP_UNIFORM_BYTES, GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST);
    this.bytes = this.buffers.reduce((sum, b) => sum + b.size, 0);

    const kernels = kernelsOf(p, setup);
    const bound: Record<string, GPUBuffer> = {
      x: gpuBufferOf(this.backend, setup.x),
      y: gpuBufferOf(this.backend, setup.y),
      perm: this.perm,
      masks: this.masks,
      params: this.params,
      grads: this.grads,
      acts,
      scalars: this.scalars,
      step: this.stepUniform,
      ...Object.fromEntries(this.slots.map((b, k) => [`slot${k}`, b])),
    };
    this.device.pushErrorScope('validation');
    this.dispatches = kernels.map((k) => this.dispatchOf(k, bound));
    this.checked = this.device.popErrorScope().then((error) => {
      if (error) this.failure = error.message;
    });
  }

  private buffer(size: number, usage: GPUBufferUsageFlags): GPUBuffer {
    const b = this.device.createBuffer({ size: Math.ceil(size / 4) * 4, usage });
    this.buffers.push(b);
    liveBuffers++;
    liveBytes += b.size;
    return b;
  }

  private dispatchOf(k: KernelSource, bound: Record<string, GPUBuffer>): Dispatch {
    const { device } = this;
    // An explicit layout: 'auto' would leave out a binding the shader declares but does not read.
    const layout = device.createBindGroupLayout({
      entries: k.bindings.map((name: Binding, binding) => ({
        binding,
        visibility: GPUShaderStage.COMPUTE,
        buffer: { type: name === 'step' ? 'uniform' : READ_ONLY.has(name) ? 'read-only-storage' : 'storage' },
      })),
    });
    const module = device.createShaderModule({ label: k.label, code: k.code });
    const pipeline = device.createComputePipeline({
      label: k.label,
      layout: device.createPipelineLayout({ bindGroupLayouts: [layout] }),
      compute: { module, entryPoint: 'main' },
    });
    const bindGroup = device.createBindGroup({
      layout,
      entries: k.bindings.map((name: Binding, binding) => ({ binding, resource: { buffer: bound[name] } })),
    });
    return { label: k.label, pipeline, bindGroup, workgroups: k.workgroups };
  }

  /** Each variable of the arenas with where its values start (floats): W, then b, layer by layer. */
  private placed(variables: tf.Variable[]): [tf.Variable, number][] {
    return variables.map((v, i) => {
      const l = i >> 1;
      const at = this.layout.blocks[l] + (i % 2 === 0 ? 0 : this.layout.widths[l] * this.layout.widths[l + 1]);
      return [v, at];
    });
  }

  private get weightVariables(): tf.Variable[] {
    return this.setup.layers.flatMap((l) => [l.kernel, l.bias]);
  }

  /**
   * One optimizer step on rows[from … from+rows) of the epoch's order at learning rate lr, the
   * optimizer's t-th, with dropout masks drawn from dropoutSeed() (one seed per layer with dropout, in
   * order, as the tf-op forward pass draws them); returns the batch's loss (penalty included) as a
   * scalar on the device.
   */
  step(order: tf.Tensor1D, from: number, lr: number, t: number, dropoutSeed: () => number): tf.Scalar {
    const { device, backend } = this;
    const encoder = device.createCommandEncoder();
    if (!this.loaded) this.copyVariables(encoder, 'in');
    this.loaded = true;
    if (this.permSource !== order.dataId) {
      encoder.copyBufferToBuffer(gpuBufferOf(backend, order), 0, this.perm, 0, order.size * 4);
      this.permSource = order.dataId;
    }
    this.writeUniforms(from, lr, t);
    this.writeMasks(dropoutSeed);
    const pass = encoder.beginComputePass();
    for (const d of this.dispatches) {
      pass.setPipeline(d.pipeline);
      pass.setBindGroup(0, d.bindGroup);
      pass.dispatchWorkgroups(...d.workgroups);
    }
    pass.end();
    dispatchesRecorded += this.dispatches.length;
    this.copyVariables(encoder, 'out');
    const loss = newGpuTensor(backend, []);
    encoder.copyBufferToBuffer(this.scalars, SCALAR_LOSS * 4, loss.buffer, 0, 4);
    submitTfjsCommands(backend); // tfjs' uploads and earlier reads go first
    device.queue.submit([encoder.finish()]);
    return loss.tensor as tf.Scalar;
  }

  /** The weights and slots between the variables and the arenas: into the arenas, or out to the variables. */
  private copyVariables(encoder: GPUCommandEncoder, direction: 'in' | 'out'): void {
    const arenas: [GPUBuffer, tf.Variable[]][] = [
      [this.params, this.weightVariables],
      ...this.slots.map((b, k): [GPUBuffer, tf.Variable[]] => [
        b,
        this.weightVariables.map((v) => this.setup.update.slotVariables[k].get(v.name)!),
      ]),
    ];
    for (const [arena, variables] of arenas) {
      for (const [v, at] of this.placed(variables)) {
        if (direction === 'in') {
          encoder.copyBufferToBuffer(gpuBufferOf(this.backend, v), 0, arena, at * 4, v.size * 4);
          continue;
        }
        // Another tensor sharing the variable's memory (a clone a look is reading) keeps the old values.
        if (sharersOf(this.backend, v) > 1) tf.tidy(() => v.assign(newGpuTensor(this.backend, v.shape).tensor));
        encoder.copyBufferToBuffer(arena, at * 4, gpuBufferOf(this.backend, v), 0, v.size * 4);
        forgetCpuCopy(this.backend, v);
      }
    }
  }

  /**
   * tf.dropout's multipliers, from its own generator and seed: floor(u + keep) / keep with u
   * uniform on [0, 1), in float32 as its kernels compute them, so the same units are dropped.
   */
  private writeMasks(dropoutSeed: () => number): void {
    const p = this.layout;
    if (p.maskFloats === 0) return;
    p.masks.forEach((at, l) => {
      if (at < 0) return;
      const n = p.rows * p.widths[l + 1];
      const draws = tf.tidy(() => tf.randomUniform([n], 0, 1, 'float32', dropoutSeed()).dataSync());
      const keep = Math.fround(1 - p.dropout[l]);
      const scale = Math.fround(1 / keep);
      for (let i = 0; i < n; i++) this.maskValues[at + i] = Math.fround(draws[i] + keep) >= 1 ? scale : 0;
    });
    this.device.queue.writeBuffer(this.masks, 0, this.maskValues);
  }

  private writeUniforms(from: number, lr: number, t: number): void {
    const words = new Uint32Array(this.uniformData);
    const values = new Float32Array(this.uniformData);
    words[0] = from;
    const put = (h: HyperValues, at: number) => HYPER_NAMES.forEach((n, k) => (values[4 + at + k] = h[n]));
    put(this.setup.update.hyper(lr, t, true), 0);
    put(this.setup.update.hyper(lr, t, false), BIAS_HYPER_AT);
    this.device.queue.writeBuffer(this.stepUniform, 0, this.uniformData);
  }

  /** The last step's gradients (penalty included, before clipping), as new tensors by variable name. */
  gradients(): tf.NamedTensorMap {
    const encoder = this.device.createCommandEncoder();
    const out: tf.NamedTensorMap = {};
    for (const [v, at] of this.placed(this.weightVariables)) {
      const made = newGpuTensor(this.backend, v.shape);
      encoder.copyBufferToBuffer(this.grads, at * 4, made.buffer, 0, v.size * 4);
      out[v.name] = made.tensor;
    }
    submitTfjsCommands(this.backend);
    this.device.queue.submit([encoder.finish()]);
    return out;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const b of this.buffers) b.destroy();
    liveBuffers -= this.buffers.length;
    liveBytes -= this.bytes;
  }
}
