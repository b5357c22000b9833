// Runs before `npm test` (npm's pretest): make sure the linter, the browser the end-to-end tests drive, and the
// software Vulkan driver Node's WebGPU tests run on, are here. Debian's chromium package ships both
// (SwiftShader's driver: /usr/lib/chromium/vk_swiftshader_icd.json), with libvulkan1 as the loader.
// Missing on Debian as root (as in CI): installed. Otherwise: stop at once with the command to run.
import { execSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { findChromium, SWIFTSHADER_ICD } from '../test/e2e/chromium';

const INSTALL = 'apt-get update && apt-get install -y chromium libvulkan1';

function hasVulkanLoader(): boolean {
  try {
    return /libvulkan\.so\.1\b/.test(execSync('ldconfig -p', { encoding: 'utf8' }));
  } catch {
    return false;
  }
}

const missing = [
  ...(findChromium() ? [] : ['a Chromium or Chrome browser (set CHROMIUM_PATH to use another)']),
  ...(existsSync(SWIFTSHADER_ICD)
    ? []
    : [`SwiftShader's Vulkan driver (${SWIFTSHADER_ICD}, from Debian's chromium package)`]),
  ...(hasVulkanLoader() ? [] : ['the Vulkan loader (libvulkan.so.1)']),
];

if (missing.length) {
  const root = process.getuid?.() === 0;
  const debian = existsSync('/etc/debian_version');
  if (root && debian) {
    console.log(`The tests need ${missing.join(', ')}: installing them with ${INSTALL}`);
    execSync(INSTALL, { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  } else {
    console.error(
      `The tests need ${missing.join(', ')}, which this machine lacks. Install them first:\n\n    ` +
        `${debian ? `sudo sh -c '${INSTALL}'` : 'install Chromium and the Vulkan loader with your package manager'}\n`,
    );
    process.exit(1);
  }
}

// The linter is its own package (tools/lint), installed by `npm install`'s postinstall step; an install
// with --ignore-scripts skips it.
if (!existsSync('tools/lint/node_modules/.bin/eslint')) {
  console.log('The linter is not installed (tools/lint): installing it with npm ci --prefix tools/lint');
  execSync('npm ci --prefix tools/lint --no-audit --no-fund --loglevel=error', { stdio: 'inherit' });
}
