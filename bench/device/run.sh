#!/usr/bin/env bash
# Runs the Node bench (bench/run.ts, bundled) on this machine's GPU through WebGPU (Dawn on Vulkan)
# and on wasm, offline. Arguments go to the bench; results land in $OUT (or here).
# Default: Auto's measurement first, then the everyday workloads (but the GPT on wasm) plus the small GPT and
# the matmul-bound MLP on webgpu; 3 rounds of 3 epochs, wasm and webgpu.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cd "$here"
dawn=node_modules/webgpu/dist/linux-x64/dawn.node
[ -f $dawn ] || xz -dk $dawn.xz

node=$(command -v node || true)
if [ -z "$node" ] || ! "$node" -e 'process.exit(+process.versions.node.split(".")[0] >= 20 ? 0 : 1)'; then
  [ -f node.xz ] || { echo "needs Node 20 or later (or a bundle built with --with-node)"; exit 1; }
  [ -f node ] || { xz -dk node.xz && chmod +x node; }
  node=$here/node
fi
for lib in libvulkan.so.1 libGLdispatch.so.0 libGLX.so.0; do
  ldconfig -p | grep -q "$lib " || { export LD_LIBRARY_PATH=$here/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}; break; }
done
# The driver's libraries, where an image mounts them outside the linker's path.
for d in /usr/local/nvidia/lib64 /usr/local/nvidia/lib; do
  if [ -d $d ]; then export LD_LIBRARY_PATH=${LD_LIBRARY_PATH:+$LD_LIBRARY_PATH:}$d; fi
done

# The first Vulkan driver manifest through which WebGPU reaches a hardware adapter (SwiftShader,
# Google's software one, only with ALLOW_SOFTWARE=1).
probe='import { create } from "./node_modules/webgpu/index.js";
const adapter = await create([]).requestAdapter({ powerPreference: "high-performance" });
const i = adapter?.info;
console.log("WebGPU adapter:", i ? [i.vendor, i.architecture, i.device, i.description].join(" / ") : "none");
process.exit(adapter && (i.vendor !== "google" || process.env.ALLOW_SOFTWARE) ? 0 : 3);'
found=
for f in ${VK_ICD_FILENAMES:-} /usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json /usr/share/vulkan/icd.d/nvidia_icd.json \
  /etc/vulkan/icd.d/nvidia_icd.json; do
  [ -f "$f" ] || continue
  echo "trying the Vulkan driver $f"
  if VK_ICD_FILENAMES=$f "$node" --input-type=module -e "$probe"; then found=$f; break; fi
done
if [ -z "$found" ]; then
  echo "no hardware WebGPU adapter; LD_LIBRARY_PATH=${LD_LIBRARY_PATH:-}"
  cat /usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json /usr/share/vulkan/icd.d/nvidia_icd.json 2>&1 || true
  glx=$(ldconfig -p | awk '/libGLX_nvidia.so.0/ {print $NF; exit}')
  ls /usr/local/nvidia/lib64 2>/dev/null | grep -i -E 'glx|vulkan|glcore|eglcore' || true
  [ -z "$glx" ] || ldd "$glx" | grep -i 'not found' || true
  exit 3
fi
export VK_ICD_FILENAMES=$found

# The card's fp32 peak: 2 FLOPs (a fused multiply-add) × fp32 lanes × SMs × the top SM clock.
peak=NaN
if command -v nvidia-smi >/dev/null && python3 -c 'import torch' 2>/dev/null; then
  nvidia-smi --query-gpu=name,driver_version,clocks.max.sm,memory.total --format=csv
  peak=$(python3 - <<'PY'
import subprocess, torch
p = torch.cuda.get_device_properties(0)
# fp32 lanes per SM: 128 on sm_86/89/90 (Ampere GA10x, Ada, Hopper), 64 on sm_70/75/80.
lanes = 128 if (p.major, p.minor) in {(8, 6), (8, 7), (8, 9), (9, 0)} else 64
mhz = float(subprocess.check_output(
    ['nvidia-smi', '--query-gpu=clocks.max.sm', '--format=csv,noheader,nounits']).decode().split()[0])
print(f'{2 * lanes * p.multi_processor_count * mhz / 1000:.0f}')
PY
)
  echo "fp32 peak: $peak GFLOP/s"
  # What CUDA itself reaches on an fp32 4096³ product (TF32 off), for scale.
  python3 - <<'PY'
import torch
torch.backends.cuda.matmul.allow_tf32 = False
a, b = (torch.rand(4096, 4096, device='cuda') for _ in range(2))
for _ in range(3): a @ b
torch.cuda.synchronize()
start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
start.record()
for _ in range(20): a @ b
end.record(); torch.cuda.synchronize()
print(f'PyTorch fp32 matmul 4096³ (cuBLAS, TF32 off): {2 * 4096**3 * 20 / (start.elapsed_time(end) / 1000) / 1e9:.0f} GFLOP/s')
PY
fi

args=("$@")
[ ${#args[@]} -gt 0 ] || args=(--rounds 3 --epochs 3 --backends wasm,webgpu --quality-seconds 0 --skip-libraries
  --auto --workloads "circle,spiral,mnist,lstm,transformer,gpu gpt,4096")
"$node" bench.mjs "${args[@]}" --gpu-matmul-size 4096 --gpu-peak-gflops "$peak"
if [ -n "${OUT:-}" ]; then cp bench/results/*.json "$OUT"/; fi
