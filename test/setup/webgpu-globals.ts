// Installs Dawn's WebGPU (the `webgpu` package) on globalThis before anything imports
// @tensorflow/tfjs-backend-webgpu: the same module the CLI loads first.
import '../../src/cli/webgpuGlobals';
