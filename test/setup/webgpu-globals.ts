// Installs Dawn's WebGPU (the `webgpu` package) on globalThis before anything imports
// @tensorflow/tfjs-backend-webgpu, which registers itself only when it sees navigator.gpu.
// Dawn runs on SwiftShader's Vulkan driver, which Debian's chromium package ships.
import { existsSync } from 'node:fs';
import { create, globals } from 'webgpu';

process.env.VK_ICD_FILENAMES ??= '/usr/lib/chromium/vk_swiftshader_icd.json';

if (existsSync(process.env.VK_ICD_FILENAMES)) {
  Object.assign(globalThis, globals);
  (globalThis as Record<string, unknown>).window ??= globalThis;
  Object.defineProperty(globalThis, 'navigator', {
    value: { ...(globalThis.navigator ?? {}), gpu: create([]) },
    configurable: true,
    writable: true,
  });
}
