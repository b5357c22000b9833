// A compiled training step on WebGPU, whatever the model (mlpStep.ts, recurrentStep.ts give the
// kernels and where each variable lives): made once per run, each step one compute pass and one
// submit. Weights, gradients and each optimizer slot live in flat arenas of our own, the batch's
// activations in a planned one; every pipeline and bind group is made here, once. tfjs keeps the
// model's variables: after each step's pass the new weights and slots are copied into the
// variables' own buffers (copies, not dispatches), so evaluation, views, checkpoints and step mode
// read them as after any other step, and a plan made later (or the tf-op step, if this one stops)
// starts from them. The batch's loss is copied into a tf scalar, kept on the device with the
// epoch's others as on the tf-op path.
import * as tf from '@tensorflow/tfjs';
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
  BIAS_HYPER_AT,
  isReadOnly,
  isUniform,
  SCALAR_FLOATS,
  SCALAR_LOSS,
  STEP_UNIFORM_BYTES,
  TIME_STRIDE,
  type Binding,
  type KernelSource,
} from './kernels';

/** A part of the mask arena drawn each step: `size` multipliers from `at` for dropout at `rate`. */
export interface MaskPart {
  at: number;
  size: number;
  rate: number;
}

export interface PlanSetup {
  kernels: KernelSource[];
  /** Floats of the parameter arena, the activation arena and the mask arena. */
  parameters: number;
  activations: number;
  masks: MaskPart[];
  /** Each trained variable and where its values start in the parameter arena (floats). */
  placed: [tf.Variable, number][];
  /** The data the kernels read, by binding name (tensors on the device). */
  data: Partial<Record<Binding, tf.Tensor>>;
  /** Floats of `perm` (the epoch's order). */
  permCapacity: number;
  update: PerElementUpdate;
}

interface Dispatch {
  pipeline: GPUComputePipeline;
  bindGroup: GPUBindGroup;
  workgroups: [number, number, number];
}

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

/**
 * Whether the device's limits allow a plan: every buffer it binds within the largest binding (the
 * data included) and every dispatch within the workgroups per dimension. A bigger model or data
 * set trains through tf ops, which split their work.
 */
export function planFits(kernels: KernelSource[], floats: number[]): boolean {
  const { limits } = webgpuDevice(tf.backend());
  const largest = Math.min(limits.maxStorageBufferBindingSize, limits.maxBufferSize);
  const workgroups = kernels.flatMap((k) => k.workgroups);
  return Math.max(...floats) * 4 <= largest && Math.max(...workgroups) <= limits.maxComputeWorkgroupsPerDimension;
}

/** Pipelines made, by device and kernel: a run started again (or another of the same shapes) compiles nothing. */
interface MadePipeline {
  layout: GPUBindGroupLayout;
  pipeline: GPUComputePipeline;
}
const pipelines = new WeakMap<GPUDevice, Map<string, MadePipeline>>();

/** Tests: make every pipeline afresh from here on (as a new device would). */
export function forgetCompiledPipelines(device: GPUDevice): void {
  pipelines.delete(device);
}

function pipelineOf(device: GPUDevice, k: KernelSource): MadePipeline {
  const made = pipelines.get(device) ?? new Map<string, MadePipeline>();
  pipelines.set(device, made);
  const key = `${k.bindings.join(',')}\n${k.code}`;
  let entry = made.get(key);
  if (!entry) {
    // An explicit layout: 'auto' would leave out a binding the shader declares but does not read.
    const layout = device.createBindGroupLayout({
      entries: k.bindings.map((name: Binding, binding) => ({
        binding,
        visibility: GPUShaderStage.COMPUTE,
        buffer: { type: isUniform(name) ? 'uniform' : isReadOnly(name) ? 'read-only-storage' : 'storage' },
      })),
    });
    const module = device.createShaderModule({ label: k.label, code: k.code });
    const pipeline = device.createComputePipeline({
      label: k.label,
      layout: device.createPipelineLayout({ bindGroupLayouts: [layout] }),
      compute: { module, entryPoint: 'main' },
    });
    entry = { layout, pipeline };
    made.set(key, entry);
  }
  return entry;
}

export class StepPlan {
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
  private readonly dispatches: Dispatch[] = [];
  /** Compute dispatches in each step's pass. */
  get dispatchesPerStep(): number {
    return this.dispatches.length;
  }
  private readonly uniformData = new ArrayBuffer(STEP_UNIFORM_BYTES);
  /** The order tensor last copied into `perm` (a new one each epoch). */
  private permSource: object | null = null;
  private loaded = false;
  private disposed = false;

  constructor(private readonly setup: PlanSetup) {
    this.backend = tf.backend();
    this.device = webgpuDevice(this.backend);
    const storage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;
    const floats = (n: number, usage = storage) => this.buffer(Math.max(4, 4 * n), usage);
    this.params = floats(setup.parameters);
    this.grads = floats(setup.parameters);
    this.slots = setup.update.formulas.slots.map(() => floats(setup.parameters));
    const acts = floats(setup.activations);
    this.scalars = floats(SCALAR_FLOATS);
    this.perm = floats(setup.permCapacity);
    const maskFloats = setup.masks.reduce((end, m) => Math.max(end, m.at + m.size), 0);
    this.masks = floats(maskFloats);
    this.maskValues = new Float32Array(maskFloats);
    const uniform = GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST;
    this.stepUniform = this.buffer(STEP_UNIFORM_BYTES, uniform);
    const times = Math.max(1, ...setup.kernels.flatMap((k) => k.times ?? []).map((t) => t + 1));
    const timeUniform = this.buffer(times * TIME_STRIDE, uniform);
    const timeValues = new Uint32Array((times * TIME_STRIDE) / 4);
    for (let t = 0; t < times; t++) timeValues[(t * TIME_STRIDE) / 4] = t;
    this.device.queue.writeBuffer(timeUniform, 0, timeValues);
    this.bytes = this.buffers.reduce((sum, b) => sum + b.size, 0);

    const bound: Partial<Record<Binding, GPUBuffer>> = {
      ...Object.fromEntries(Object.entries(setup.data).map(([name, t]) => [name, gpuBufferOf(this.backend, t!)])),
      perm: this.perm,
      masks: this.masks,
      params: this.params,
      grads: this.grads,
      acts,
      scalars: this.scalars,
      step: this.stepUniform,
      time: timeUniform,
      ...Object.fromEntries(this.slots.map((b, k) => [`slot${k}`, b])),
    };
    this.device.pushErrorScope('validation');
    for (const k of setup.kernels) this.dispatches.push(...this.dispatchesOf(k, bound));
    this.checked = this.device.popErrorScope().then((error) => {
      if (!error) return;
      this.failure = error.message;
      pipelines.delete(this.device); // a plan made later compiles (and is judged) afresh
    });
  }

  private buffer(size: number, usage: GPUBufferUsageFlags): GPUBuffer {
    const b = this.device.createBuffer({ size: Math.ceil(size / 4) * 4, usage });
    this.buffers.push(b);
    liveBuffers++;
    liveBytes += b.size;
    return b;
  }

  /** The kernel's pipeline, and a bind group per dispatch (one per timestep where it has times). */
  private dispatchesOf(k: KernelSource, bound: Partial<Record<Binding, GPUBuffer>>): Dispatch[] {
    const { device } = this;
    const { layout, pipeline } = pipelineOf(device, k);
    const resource = (name: Binding, t: number) =>
      name === 'time' ? { buffer: bound.time!, offset: t * TIME_STRIDE, size: 16 } : { buffer: bound[name]! };
    return (k.times ?? [0]).map((t) => ({
      pipeline,
      workgroups: k.workgroups,
      bindGroup: device.createBindGroup({
        layout,
        entries: k.bindings.map((name: Binding, binding) => ({ binding, resource: resource(name, t) })),
      }),
    }));
  }

  /**
   * One optimizer step on rows[from …) of the epoch's order at learning rate lr, the optimizer's
   * t-th, with dropout masks drawn from dropoutSeed() (one seed per mask part, in order, as the
   * tf-op forward pass draws them); returns the batch's loss (penalty included) as a scalar on the device.
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
    const { placed, update } = this.setup;
    const arenas: [GPUBuffer, (v: tf.Variable) => tf.Variable][] = [
      [this.params, (v) => v],
      ...this.slots.map((b, k): [GPUBuffer, (v: tf.Variable) => tf.Variable] => [
        b,
        (v) => update.slotVariables[k].get(v.name)!,
      ]),
    ];
    for (const [arena, of] of arenas) {
      for (const [weight, at] of placed) {
        const v = of(weight);
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
    const { masks } = this.setup;
    if (masks.length === 0) return;
    for (const { at, size, rate } of masks) {
      const draws = tf.tidy(() => tf.randomUniform([size], 0, 1, 'float32', dropoutSeed()).dataSync());
      const keep = Math.fround(1 - rate);
      const scale = Math.fround(1 / keep);
      for (let i = 0; i < size; i++) this.maskValues[at + i] = Math.fround(draws[i] + keep) >= 1 ? scale : 0;
    }
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
    for (const [v, at] of this.setup.placed) {
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
