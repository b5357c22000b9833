// Where the browser for the end-to-end tests is: CHROMIUM_PATH, Debian's chromium, or an installed Chrome.
import { accessSync, constants } from 'node:fs';

/** SwiftShader's Vulkan driver, shipped by Debian's chromium package; Node's WebGPU tests run on it. */
export const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';

const CANDIDATES = [
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome',
  '/usr/bin/google-chrome-stable',
  '/opt/google/chrome/chrome',
];

export function findChromium(): string | null {
  const paths = process.env.CHROMIUM_PATH ? [process.env.CHROMIUM_PATH] : CANDIDATES;
  for (const path of paths) {
    try {
      accessSync(path, constants.X_OK);
      return path;
    } catch {
      // not this one
    }
  }
  return null;
}
