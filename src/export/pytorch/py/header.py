"""
Train an experiment exported from the neural-network playground, with PyTorch alone: from the exact
data and initial weights the playground built, the same batches in the same order, so with dropout 0
each epoch's losses match the playground's run. See README.md for the options and torchrun.
"""
import argparse
import json
import math
import os
import struct
import sys

import torch
import torch.distributed as dist
import torch.nn as nn
import torch.nn.functional as F
from torch.nn.parallel import DistributedDataParallel

import parallel  # model parallelism (--parallel tensor or pipeline): parallel.py, beside this file

HERE = os.path.dirname(os.path.abspath(__file__))
# The playground measures each epoch on the first TRAIN_EVAL_LIMIT training examples and (sequence
# models) the first SEQUENCE_VAL_LIMIT validation examples: always the same ones. So does this file.
TRAIN_EVAL_LIMIT = 1024
SEQUENCE_VAL_LIMIT = 2048
EVAL_TOKENS = 8192  # evaluation runs in chunks of about this many tokens, to bound memory


# -- safetensors, read and written with a few lines of our own (float32 only) --


def read_safetensors(path):
    with open(path, "rb") as f:
        size = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(size))
        data = f.read()
    metadata = header.pop("__metadata__", {})
    tensors = {}
    for name, entry in header.items():
        if entry["dtype"] != "F32":
            sys.exit(f"{path}: the tensor {name} is {entry['dtype']}; only F32 is read")
        begin, end = entry["data_offsets"]
        values = torch.frombuffer(bytearray(data[begin:end]), dtype=torch.float32) if end > begin else torch.zeros(0)
        tensors[name] = values.reshape(entry["shape"])
    return tensors, metadata


def write_safetensors(path, tensors, metadata):
    header, blobs, offset = {"__metadata__": metadata}, [], 0
    for name, t in tensors.items():
        blob = struct.pack(f"<{t.numel()}f", *t.detach().float().cpu().reshape(-1).tolist())
        header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [offset, offset + len(blob)]}
        blobs.append(blob)
        offset += len(blob)
    text = json.dumps(header)
    text += " " * (-(8 + len(text)) % 8)  # the data starts 8-byte aligned
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text.encode() + b"".join(blobs))


# -- the playground's seeded shuffle (src/data/rng.ts: mulberry32), for the same batches in the same order --

M32 = 0xFFFFFFFF


def imul(a, b):
    return (a * b) & M32


def derive_seed(seed, purpose):
    h = (seed ^ 0x9E3779B9) & M32
    for c in purpose:
        h = imul(h ^ ord(c), 0x01000193)
    h ^= h >> 16
    h = imul(h, 0x85EBCA6B)
    return h ^ (h >> 13)


class Mulberry32:
    def __init__(self, seed):
        self.state = seed & M32

    def next_u32(self):
        self.state = t = (self.state + 0x6D2B79F5) & M32
        t = imul(t ^ (t >> 15), t | 1)
        t ^= (t + imul(t ^ (t >> 7), t | 61)) & M32
        return t ^ (t >> 14)

    def permutation(self, n):  # Fisher–Yates, one per epoch
        p = list(range(n))
        for i in range(n - 1, 0, -1):
            j = (self.next_u32() * (i + 1)) >> 32
            p[i], p[j] = p[j], p[i]
        return p


# -- the model --


class Dense(nn.Module):
    """x·W + b with W stored [inputs, outputs], the playground's layout, so its weight files load as they are."""

    def __init__(self, inputs, outputs, bias=True):
        super().__init__()
        self.weight = nn.Parameter(torch.empty(inputs, outputs))  # values come from init.safetensors
        self.bias = nn.Parameter(torch.empty(outputs)) if bias else None

    def forward(self, x):
        x = x @ self.weight
        return x if self.bias is None else x + self.bias

    def skip(self, x):  # the input as a residual connection adds it to the output (a split layer's differs)
        return x

ACTIVATIONS = {
    "relu": F.relu, "tanh": torch.tanh, "sigmoid": torch.sigmoid, "linear": lambda x: x,
    "gelu": lambda x: F.gelu(x, approximate="tanh"),  # the playground's GELU is the tanh approximation
    "leakyRelu": lambda x: F.leaky_relu(x, 0.01),
    "elu": F.elu,
    "silu": F.silu,
}

# Optimizers PyTorch lacks, by kind: the ones this program was exported with add themselves.
EXPORTED_OPTIMIZERS = {}
