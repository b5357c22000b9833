// Builds gpu-bench/: the Node bench as one folder that runs on a machine with a GPU and no network
// (under 64 MiB): the bench bundled by esbuild, tfjs' wasm binaries, the `webgpu` package's
// dawn.node, the data files it reads, the Vulkan loader and (with --with-node) this Node binary.
// Usage: npm run bench:bundle [-- --with-node]; then on the GPU machine: bash gpu-bench/run.sh
import { execFileSync } from 'node:child_process';
import { copyFileSync, cpSync, mkdirSync, readdirSync, realpathSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';

const out = 'gpu-bench';
rmSync(out, { recursive: true, force: true });
mkdirSync(out);

await build({
  entryPoints: ['bench/run.ts'],
  outfile: join(out, 'bench.mjs'),
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // dawn.node is a native addon: the package stays a package beside the bundle.
  external: ['webgpu'],
  // tfjs-backend-wasm's Node build is CommonJS and finds its .wasm files through __dirname.
  banner: {
    js: [
      "import { createRequire as __bundleCreateRequire } from 'node:module';",
      "import { dirname as __bundleDirname } from 'node:path';",
      "import { fileURLToPath as __bundleFileURLToPath } from 'node:url';",
      'const require = __bundleCreateRequire(import.meta.url);',
      'const __filename = __bundleFileURLToPath(import.meta.url);',
      'const __dirname = __bundleDirname(__filename);',
    ].join('\n'),
  },
  logLevel: 'warning',
});

const wasmDist = 'node_modules/@tensorflow/tfjs-backend-wasm/dist';
for (const f of readdirSync(wasmDist).filter((f) => f.endsWith('.wasm'))) copyFileSync(join(wasmDist, f), join(out, f));

const webgpu = join(out, 'node_modules/webgpu');
mkdirSync(join(webgpu, 'dist/linux-x64'), { recursive: true });
for (const f of ['package.json', 'index.js', 'LICENSE.md'])
  copyFileSync(join('node_modules/webgpu', f), join(webgpu, f));
// xz: 21 MB → 5 MB; run.sh unpacks it.
xzInto('node_modules/webgpu/dist/linux-x64/dawn.node', join(webgpu, 'dist/linux-x64/dawn.node.xz'));

mkdirSync(join(out, 'datasets'));
for (const f of ['mnist-images.u8', 'mnist-labels.u8', 'names.txt', 'sotu.txt'])
  copyFileSync(join('datasets', f), join(out, 'datasets', f));

// The Vulkan loader, and glvnd's dispatch libraries that NVIDIA's Vulkan driver (libGLX_nvidia)
// links to, for a machine that has the driver but not these (a CUDA image, say).
mkdirSync(join(out, 'lib'));
for (const lib of [
  'libvulkan.so.1',
  'libGLdispatch.so.0',
  'libGLX.so.0',
  'libGL.so.1',
  'libEGL.so.1',
  'libOpenGL.so.0',
])
  copyFileSync(realpathSync(join('/lib/x86_64-linux-gnu', lib)), join(out, 'lib', lib));

if (process.argv.includes('--with-node')) xzInto(process.execPath, join(out, 'node.xz'));
cpSync('bench/device/run.sh', join(out, 'run.sh'));

function xzInto(from: string, to: string): void {
  execFileSync('sh', ['-c', `xz -T0 -6 -c "$0" > "$1"`, from, to]);
}
const size = (dir: string): number =>
  readdirSync(dir, { withFileTypes: true }).reduce(
    (sum, e) => sum + (e.isDirectory() ? size(join(dir, e.name)) : statSync(join(dir, e.name)).size),
    0,
  );
console.log(`${out}/: ${(size(out) / 2 ** 20).toFixed(1)} MiB`);
