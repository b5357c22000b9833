// Puts Node's WebGPU (Dawn on SwiftShader or a real GPU, from the `webgpu` package) on globalThis
// before @tensorflow/tfjs-backend-webgpu loads: it registers itself only where navigator.gpu exists.
import { existsSync } from 'node:fs';
import { create, globals } from 'webgpu';

process.env.VK_ICD_FILENAMES ??= '/usr/lib/chromium/vk_swiftshader_icd.json';

// On a machine with a GPU, point VK_ICD_FILENAMES at its Vulkan driver (e.g. /usr/share/vulkan/icd.d/nvidia_icd.json).
if (existsSync(process.env.VK_ICD_FILENAMES)) {
  Object.assign(globalThis, globals);
  (globalThis as Record<string, unknown>).window ??= globalThis;
  Object.defineProperty(globalThis, 'navigator', {
    value: { ...(globalThis.navigator ?? {}), gpu: create([]) },
    configurable: true,
    writable: true,
  });
}
