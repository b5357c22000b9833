// train.py, the exported PyTorch program: one readable file per experiment, holding only the model
// the spec uses. Each part follows the engine's definition (named in its comments) rather than a
// stock PyTorch module where the two differ, so the losses match the playground's run.
import type { ModelKind, ModelSpec, OptimizerKind, RecurrentCell } from '../../experiment/types';
import { SEQUENCE_VAL_LIMIT, TRAIN_EVAL_LIMIT } from '../../engine/cost';

const HEADER = String.raw`"""
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

HERE = os.path.dirname(os.path.abspath(__file__))
# The playground measures each epoch on the first TRAIN_EVAL_LIMIT training examples and (sequence
# models) the first SEQUENCE_VAL_LIMIT validation examples: always the same ones. So does this file.
TRAIN_EVAL_LIMIT = ${TRAIN_EVAL_LIMIT}
SEQUENCE_VAL_LIMIT = ${SEQUENCE_VAL_LIMIT}
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

ACTIVATIONS = {
    "relu": F.relu, "tanh": torch.tanh, "sigmoid": torch.sigmoid, "linear": lambda x: x,
    "gelu": lambda x: F.gelu(x, approximate="tanh"),  # the playground's GELU is the tanh approximation
    "leakyRelu": lambda x: F.leaky_relu(x, 0.01),
    "elu": F.elu,
    "silu": F.silu,
}
`;

const MODELS: Record<ModelKind, string> = {
  mlp: String.raw`

class MLP(nn.Module):
    """Dense layers, each with its activation and dropout (and, if chosen, LayerNorm or BatchNorm before the activation
    and a residual connection where a hidden layer is as wide as the one before it), then a linear output layer."""

    def __init__(self, model, inputs, outputs):
        super().__init__()
        hidden = model["hidden"]
        sizes = [inputs] + [layer["units"] for layer in hidden] + [outputs]
        # Before BatchNorm a layer has no bias: BatchNorm's own takes its place.
        biases = [model["norm"] != "batchNorm"] * len(hidden) + [True]
        self.layers = nn.ModuleList(Dense(a, b, bias) for a, b, bias in zip(sizes, sizes[1:], biases))
        norm = {"layerNorm": nn.LayerNorm, "batchNorm": nn.BatchNorm1d}.get(model["norm"])
        if norm:
            for layer, width in zip(self.layers[: len(hidden)], sizes[1:]):
                layer.norm = norm(width)  # named layers.{i}.norm, as the app names it
        self.activations = [layer["activation"] for layer in hidden] + ["linear"]
        self.dropouts = [layer["dropout"] for layer in hidden] + [0.0]
        self.residual = [model["residual"] and 0 < i < len(hidden) and sizes[i] == sizes[i + 1] for i in range(len(sizes) - 1)]

    def forward(self, x):  # (B, inputs) -> (B, outputs)
        for layer, activation, p, residual in zip(self.layers, self.activations, self.dropouts, self.residual):
            h = layer(x)
            if hasattr(layer, "norm"):
                h = layer.norm(h)
            h = F.dropout(ACTIVATIONS[activation](h), p, self.training)
            x = h + x if residual else h
        return x


def build_model(model, data):
    return MLP(model, data["inputs"], data["outputs"])
`,
  lstm: String.raw`


class RecurrentModel(nn.Module):
    """Token embedding (or, for a series, the raw value) -> recurrent layers (LSTM, GRU or RNN) with dropout on
    their outputs -> a dense head. The layers are named after the cell (lstm.0, gru.0, ...), as the app names them."""

    def __init__(self, model, vocab):
        super().__init__()
        self.embedding = nn.Embedding(vocab, model["embedding"]) if vocab else None
        sizes = [model["embedding"] if vocab else 1] + [layer["units"] for layer in model["layers"]]
        self.cell = model["cell"]
        if self.cell != CELL:
            sys.exit(f"spec.json asks for the {self.cell} cell; this program was exported for {CELL}: export it again")
        setattr(self, self.cell, nn.ModuleList(Layer(a, b) for a, b in zip(sizes, sizes[1:])))
        self.dropouts = [layer["dropout"] for layer in model["layers"]]
        self.head = Dense(sizes[-1], vocab or 1)

    def forward(self, x):  # tokens (B, T) -> logits (B, T, vocab); a series (B, T) -> forecast (B, 1, 1)
        h = self.embedding(x) if self.embedding is not None else x.unsqueeze(-1)
        for layer, p in zip(getattr(self, self.cell), self.dropouts):
            h = F.dropout(layer(h), p, self.training)
        if self.embedding is None:
            return self.head(h[:, -1]).view(-1, 1, 1)  # the next value, from the last step's state
        return self.head(h)


def build_model(model, data):
    return RecurrentModel(model, data["vocab"])
`,
  transformer: String.raw`

class RMSNorm(nn.Module):
    """x / sqrt(mean(x^2) + eps) * weight (PyTorch 1.13 has no nn.RMSNorm); eps 1e-5 as the playground's."""

    def __init__(self, d, eps=1e-5):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(d))
        self.eps = eps

    def forward(self, x):
        return x * torch.rsqrt(x.square().mean(-1, keepdim=True) + self.eps) * self.weight


def make_norm(kind, d):
    return nn.LayerNorm(d) if kind == "layerNorm" else RMSNorm(d)


def rope_tables(T, hs, device):
    """cos and sin (T, hs) of RoPE's angles: dimensions i and i + hs/2 turn by p * 10000^(-2i/hs)."""
    half = hs // 2
    theta = 10000.0 ** (-torch.arange(half, device=device, dtype=torch.float32) * 2 / hs)
    angles = torch.arange(T, device=device, dtype=torch.float32)[:, None] * theta[None, :]
    angles = torch.cat([angles, angles], dim=-1)
    return angles.cos(), angles.sin()


def rotate(x, cos, sin):  # x (B, nh, T, hs): x * cos + rotate_half(x) * sin
    x1, x2 = x.chunk(2, dim=-1)
    return x * cos + torch.cat([-x2, x1], dim=-1) * sin


def sinusoidal_positions(T, d, device):
    """PE[p, 2i] = sin(p / 10000^(2i/d)), PE[p, 2i+1] = cos(p / 10000^(2i/d))."""
    j = torch.arange(d, device=device)
    angles = torch.arange(T, device=device, dtype=torch.float32)[:, None] / 10000.0 ** ((j - j % 2).float() / d)[None, :]
    return torch.where(j % 2 == 0, angles.sin(), angles.cos())


def alibi_slopes(heads):
    """ALiBi's slope per head (Press et al.): 2^(-8h/H) for a power of two H, else the power of two below's, then every
    other of the one above."""
    below = 2 ** math.floor(math.log2(heads))
    slopes = [2 ** (-8 * (i + 1) / below) for i in range(below)]
    return slopes if below == heads else (slopes + alibi_slopes(2 * below)[0::2])[:heads]


def alibi_mask(T, heads, device):
    """(nh, T, T): -slope * (i - j) where query i sees key j <= i, and the causal mask's -1e9 after."""
    i = torch.arange(T, device=device)
    distance = (i[:, None] - i[None, :]).float()
    slopes = torch.tensor(alibi_slopes(heads), device=device)[:, None, None]
    return torch.where(distance >= 0, -slopes * distance, torch.tensor(-1e9, device=device))


class CausalSelfAttention(nn.Module):
    def __init__(self, d, heads, position, attention_dropout):
        super().__init__()
        self.heads, self.position, self.attention_dropout = heads, position, attention_dropout
        self.qkv = Dense(d, 3 * d)
        self.out = Dense(d, d)

    def forward(self, x):  # (B, T, d) -> (B, T, d)
        B, T, d = x.shape
        hs = d // self.heads
        q, k, v = self.qkv(x).view(B, T, 3, self.heads, hs).permute(2, 0, 3, 1, 4)  # each (B, nh, T, hs)
        if self.position == "rope":
            cos, sin = rope_tables(T, hs, x.device)
            q, k = rotate(q, cos, sin), rotate(k, cos, sin)
        # The playground's causal mask adds -1e9 (not -inf) after each position.
        mask = torch.triu(torch.full((T, T), -1e9, device=x.device), diagonal=1)
        if self.position == "alibi":
            mask = alibi_mask(T, self.heads, x.device)
        att = (q @ k.transpose(-2, -1) * (1 / math.sqrt(hs)) + mask).softmax(dim=-1)  # (B, nh, T, T)
        att = F.dropout(att, self.attention_dropout, self.training)
        return self.out((att @ v).transpose(1, 2).reshape(B, T, d))  # heads side by side again


class Block(nn.Module):
    """Pre-norm: x + attention(ln1(x)), then x + MLP(ln2(x)); post-norm: ln1(x + attention(x)), then
    ln2(x + MLP(x)); dropout on each branch. The MLP: GELU or ReLU on 4d units, or SwiGLU on ceil(8d/3)
    (fc1's columns are the gate's, then the value's)."""

    def __init__(self, m):
        super().__init__()
        d = m["dModel"]
        self.ln1 = make_norm(m["norm"], d)
        self.attn = CausalSelfAttention(d, m["heads"], m["position"], m["attentionDropout"])
        self.ln2 = make_norm(m["norm"], d)
        self.activation = m["mlpActivation"]
        hidden = math.ceil(8 * d / 3) if self.activation == "swiglu" else 4 * d
        fc1 = 2 * hidden if self.activation == "swiglu" else hidden
        self.mlp = nn.ModuleDict({"fc1": Dense(d, fc1), "fc2": Dense(hidden, d)})
        self.pre = m["normPlacement"] == "pre"
        self.dropout = m["dropout"]

    def feed_forward(self, x):
        h = self.mlp["fc1"](x)
        if self.activation == "swiglu":
            gate, value = h.chunk(2, dim=-1)
            h = F.silu(gate) * value
        else:
            h = ACTIVATIONS[self.activation](h)
        return F.dropout(self.mlp["fc2"](h), self.dropout, self.training)

    def forward(self, x):
        attend = lambda h: F.dropout(self.attn(h), self.dropout, self.training)  # noqa: E731
        if self.pre:
            x = x + attend(self.ln1(x))
            return x + self.feed_forward(self.ln2(x))
        x = self.ln1(x + attend(x))
        return self.ln2(x + self.feed_forward(x))


class Transformer(nn.Module):
    """GPT-style, decoder only: token embeddings (plus learned or sinusoidal positions; RoPE and ALiBi work inside
    attention), blocks, a final norm (pre-norm only), and a linear head or the token embedding transposed."""

    def __init__(self, model, vocab, context):
        super().__init__()
        d = model["dModel"]
        self.token_embedding = nn.Embedding(vocab, d)
        self.position = model["position"]
        if self.position == "learned":
            self.position_embedding = nn.Embedding(context, d)
        self.blocks = nn.ModuleList(Block(model) for _ in range(model["layers"]))
        if model["normPlacement"] == "pre":
            self.ln_f = make_norm(model["norm"], d)
        self.tied = model["tiedEmbeddings"]
        if not self.tied:
            self.head = Dense(d, vocab, bias=False)
        self.dropout = model["dropout"]

    def forward(self, tokens):  # (B, T) -> logits (B, T, vocab)
        T = tokens.shape[1]
        x = self.token_embedding(tokens)
        if self.position == "learned":
            x = x + self.position_embedding.weight[:T]
        elif self.position == "sinusoidal":
            x = x + sinusoidal_positions(T, x.shape[-1], x.device)
        x = F.dropout(x, self.dropout, self.training)
        for block in self.blocks:
            x = block(x)
        if hasattr(self, "ln_f"):
            x = self.ln_f(x)
        return x @ self.token_embedding.weight.T if self.tied else self.head(x)


def build_model(model, data):
    return Transformer(model, data["vocab"], data["length"])
`,
};

const TRAINING = String.raw`

# -- loss, metrics, optimizer, schedule --


def loss_sum(task, out, y, mask, squared=False):
    """The loss summed over a batch (the playground averages it over the whole batch: see train()). squared: a
    classifier's loss is the squared error of its probabilities, averaged over the classes as F.mse_loss does."""
    if squared and task == "binary":
        return F.mse_loss(torch.sigmoid(out.view(-1)), y, reduction="sum")
    if squared and task == "multiclass":
        return F.mse_loss(F.softmax(out, 1), F.one_hot(y.long(), out.shape[1]).float(), reduction="sum") / out.shape[1]
    if task == "binary":
        return F.binary_cross_entropy_with_logits(out.view(-1), y, reduction="sum")
    if task == "multiclass":
        return F.cross_entropy(out, y.long(), reduction="sum")
    if task in ("regression", "forecast"):
        return F.mse_loss(out.view(-1), y, reduction="sum")
    # language, toy: cross-entropy at each position where the mask is 1 (a toy task's answer)
    return (F.cross_entropy(out.flatten(0, 1), y.long().view(-1), reduction="none") * mask.view(-1)).sum()


def terms(task, y, mask):
    """How many terms a batch's loss sums: examples, or target tokens."""
    return mask.sum() if task in ("language", "toy") else y.numel()


def penalty(model, l1, l2):
    """L1 and L2 on the weight matrices only (not biases or LayerNorm gains), as the playground does."""
    matrices = [p for p in model.parameters() if p.dim() >= 2]
    total = 0.0
    if l1 > 0:
        total = total + l1 * sum(p.abs().sum() for p in matrices)
    if l2 > 0:
        total = total + l2 * sum(p.square().sum() for p in matrices)
    return total


@torch.no_grad()
def evaluate(model, task, split, limit, squared):
    """Loss, accuracy and exact match over a split's first limit examples, in evaluation mode."""
    model.eval()
    x, y, mask = (t[:limit] for t in (split["x"], split["y"], split["mask"]))
    chunk = max(1, EVAL_TOKENS // x.shape[1]) if task in ("language", "toy", "forecast") else len(x)
    loss = count = right = exact = 0.0
    for s in range(0, len(x), chunk):
        out, yc, mc = model(x[s:s + chunk]), y[s:s + chunk], mask[s:s + chunk]
        loss += loss_sum(task, out, yc, mc, squared).item()
        count += float(terms(task, yc, mc))
        if task in ("language", "toy"):
            hits = (out.argmax(-1) == yc.long()).float() * mc
            right += hits.sum().item()
            exact += (hits.sum(1) == mc.sum(1)).float().sum().item()
        elif task == "binary":
            right += ((out.view(-1) > 0).float() == yc).float().sum().item()
        elif task == "multiclass":
            right += (out.argmax(1) == yc.long()).float().sum().item()
    model.train()
    return {"loss": loss / count, "accuracy": right / count, "exactMatch": exact / len(x)}


def figures(task, prefix, scores, exact=True):
    """The scores the task has, named as in the playground's run files: trainLoss, valAccuracy, …"""
    names = ["Loss"] + (["Accuracy"] if task not in ("regression", "forecast") else []) + (["ExactMatch"] if task == "toy" and exact else [])
    return {prefix + name: scores[name[0].lower() + name[1:]] for name in names}


def make_optimizer(o, model):
    """The spec's optimizer with PyTorch's own classes, whose conventions the playground follows."""
    decay = o["weightDecay"]
    params = list(model.parameters())
    groups = [  # decayMatricesOnly: no weight decay on biases and LayerNorm gains (1-D), as nanoGPT
        {"params": [p for p in params if p.dim() >= 2], "weight_decay": decay},
        {"params": [p for p in params if p.dim() < 2], "weight_decay": 0.0 if o["decayMatricesOnly"] else decay},
    ]
    groups = [g for g in groups if g["params"]]
    kind, lr = o["kind"], o["learningRate"]
    if kind == "sgd":
        return torch.optim.SGD(groups, lr=lr)
    if kind in ("momentum", "nesterov"):
        return torch.optim.SGD(groups, lr=lr, momentum=o["momentum"], nesterov=kind == "nesterov")
    if kind == "rmsprop":
        return torch.optim.RMSprop(groups, lr=lr, alpha=o["rho"], eps=o["epsilon"], momentum=o["rmspropMomentum"], centered=o["centered"])
    if kind == "adagrad":
        return torch.optim.Adagrad(groups, lr=lr, eps=o["epsilon"])
    if kind in ("lion", "muon") and kind.capitalize() not in globals():
        sys.exit(f"spec.json asks for {kind}, which this program was not exported with: export it again from the playground")
    if kind == "lion":
        return Lion(groups, lr=lr, betas=(o["beta1"], o["beta2"]))
    if kind == "muon":  # Muon for the weight matrices, AdamW for the rest, as its authors pair them
        matrices = [p for p in params if p.dim() == 2]
        rest = [g for g in ({**g, "params": [p for p in g["params"] if p.dim() != 2]} for g in groups) if g["params"]]
        parts = [Muon([{"params": matrices, "weight_decay": decay}], lr=lr, momentum=o["momentum"])]
        if rest:
            parts.append(torch.optim.AdamW(rest, lr=lr, betas=(o["beta1"], o["beta2"]), eps=o["epsilon"]))
        return Optimizers(*parts)
    adam = torch.optim.AdamW if kind == "adamw" else torch.optim.Adam
    return adam(groups, lr=lr, betas=(o["beta1"], o["beta2"]), eps=o["epsilon"], amsgrad=o["amsgrad"])


def learning_rate(training, step, steps_per_epoch, epochs):
    """The playground's schedule (src/engine/schedule.ts) at optimizer step step (0-based)."""
    s, lr = training["schedule"], training["optimizer"]["learningRate"]
    epoch = step // steps_per_epoch
    warmup = s["warmupEpochs"] * steps_per_epoch
    # 1) the schedule's rate
    if s["kind"] == "step":
        rate = lr * s["gamma"] ** (epoch // s["stepEpochs"])
    elif s["kind"] == "exponential":
        rate = lr * s["gamma"] ** epoch
    elif s["kind"] == "cosine":
        total = max(1, epochs * steps_per_epoch - warmup)
        t = min(total, max(0, step - warmup))
        rate = s["minLearningRate"] + (lr - s["minLearningRate"]) * 0.5 * (1 + math.cos(math.pi * t / total))
    else:
        rate = lr
    # 2) during warm-up, scaled linearly up from rate / warmup steps; 3) after it, as is
    return rate * (step + 1) / warmup if step < warmup else rate


# -- data and weights --


def load_data(device):
    tensors, metadata = read_safetensors(os.path.join(HERE, "data.safetensors"))
    info = json.loads(metadata["data"])
    splits = {}
    for name in ("train", "validation", "test"):
        if name + ".x" not in tensors:
            continue
        x, y = tensors[name + ".x"], tensors[name + ".y"]
        mask = tensors.get(name + ".mask", torch.ones_like(y))
        tokens = info["task"] in ("language", "toy")
        splits[name] = {"x": (x.long() if tokens else x).to(device), "y": y.to(device), "mask": mask.to(device)}
    return info, splits


def saved_state(model):
    """What a weights file holds: parameters and float buffers (BatchNorm's running statistics), not its batch count."""
    return {name: t for name, t in model.state_dict().items() if t.is_floating_point()}


def load_weights(model, path):
    tensors, metadata = read_safetensors(path)
    for name, t in saved_state(model).items():
        if name not in tensors:
            sys.exit(f"{path} has no tensor {name}: it was saved from another model")
        if tuple(tensors[name].shape) != tuple(t.shape):
            sys.exit(f"{path}: the tensor {name} has shape {list(tensors[name].shape)}, but this model's is {list(t.shape)}")
    model.load_state_dict({name: tensors[name] for name in saved_state(model)}, strict=False)
    return metadata


# -- training --


def main():
    parser = argparse.ArgumentParser(description="Train the exported playground experiment.")
    parser.add_argument("--epochs", type=int, help="train to this epoch (default: the spec's)")
    parser.add_argument("--device", choices=["cpu", "cuda"], default="cuda" if torch.cuda.is_available() else "cpu")
    parser.add_argument("--resume", help="start from these weights (a .safetensors saved here or by the app)")
    args = parser.parse_args()
    with open(os.path.join(HERE, "spec.json")) as f:
        spec = json.load(f)
    training = spec["training"]

    # Data-parallel under torchrun: one process per rank, each with a share of every global batch.
    distributed = "RANK" in os.environ
    rank, world, device = 0, 1, args.device
    if distributed:
        dist.init_process_group("nccl" if device == "cuda" else "gloo")
        rank, world = dist.get_rank(), dist.get_world_size()
        if device == "cuda":
            device = f"cuda:{int(os.environ['LOCAL_RANK'])}"
            torch.cuda.set_device(device)
    torch.manual_seed(spec["seed"] + rank)  # dropout masks: random like the playground's, but not the same ones

    info, data = load_data(device)
    task, train = info["task"], data["train"]
    squared = spec["model"].get("classificationLoss") == "mse"  # an MLP classifier may use it
    model = build_model(spec["model"], info)
    metadata = load_weights(model, args.resume or os.path.join(HERE, "init.safetensors"))
    model.to(device)
    # Resuming: the optimizer starts afresh (weight files hold no optimizer state); the epochs,
    # schedule and shuffle go on from the epoch the weights were saved at.
    first = int(metadata.get("epoch", 0)) + 1 if args.resume else 1
    epochs = args.epochs or training["epochs"]
    batch_size = training["batchSize"]
    if world > batch_size:
        sys.exit(f"{world} processes cannot share batches of {batch_size} examples")
    if distributed and any(isinstance(m, nn.BatchNorm1d) for m in model.modules()):
        if device.startswith("cuda"):  # batch statistics over the whole global batch, as in the app
            model = nn.SyncBatchNorm.convert_sync_batchnorm(model)
        elif rank == 0:
            print("BatchNorm on cpu: each process normalises over its own share of the batch "
                  "(PyTorch's SyncBatchNorm needs CUDA), so results differ from one process's", file=sys.stderr)
    ddp_model = DistributedDataParallel(model) if distributed else model
    optimizer = make_optimizer(training["optimizer"], model)
    n_train = len(train["x"])
    steps_per_epoch = n_train // batch_size  # the ragged tail of each shuffled epoch is dropped
    shuffle = Mulberry32(derive_seed(spec["seed"], "shuffle"))
    for _ in range(1, first):
        shuffle.permutation(n_train)  # the orders the earlier epochs used
    step = (first - 1) * steps_per_epoch
    val_limit = SEQUENCE_VAL_LIMIT if task in ("language", "toy", "forecast") else None
    best = (math.inf, 0)
    epoch = first - 1
    for epoch in range(first, epochs + 1):
        order = torch.tensor(shuffle.permutation(n_train), device=device)
        for b in range(steps_per_epoch):
            batch = order[b * batch_size:(b + 1) * batch_size]
            mine = batch[rank * batch_size // world:(rank + 1) * batch_size // world]  # this process's share
            x, y, mask = (train[k][mine] for k in ("x", "y", "mask"))
            # The mean over the whole batch (every process knows its size); DDP averages the
            # processes' gradients, hence × world.
            count = terms(task, train["y"][batch], train["mask"][batch])
            loss = loss_sum(task, ddp_model(x), y, mask, squared) / count * world + penalty(model, training["l1"], training["l2"])
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            if training["clipNorm"] > 0:
                torch.nn.utils.clip_grad_norm_(model.parameters(), training["clipNorm"])
            for group in optimizer.param_groups:
                group["lr"] = learning_rate(training, step, steps_per_epoch, epochs)
            optimizer.step()
            step += 1
        # Every process evaluates (the weights are the same everywhere), so all stop together.
        train_scores = evaluate(model, task, train, TRAIN_EVAL_LIMIT, squared)
        val_scores = evaluate(model, task, data["validation"], val_limit, squared)
        line = {"epoch": epoch, **figures(task, "train", train_scores, exact=False), **figures(task, "val", val_scores)}
        if rank == 0:
            print(json.dumps(line), flush=True)
        if not (math.isfinite(line["trainLoss"]) and math.isfinite(line["valLoss"])):
            sys.exit(f"Training diverged in epoch {epoch}: the loss is no longer finite. Try a smaller learning rate.")
        best = min(best, (val_scores["loss"], epoch), key=lambda b: b[0])
        patience = training["earlyStopPatience"]  # early stopping, as in the playground
        if 0 < patience <= epoch - best[1] and epoch < epochs:
            print(f"Stopped early after epoch {epoch}: no better validation loss for {patience} epochs.", file=sys.stderr)
            break
    if rank == 0:
        if "test" in data:  # the held-out test split, scored once at the end
            print(json.dumps(figures(task, "test", evaluate(model, task, data["test"], None, squared))), flush=True)
        saved = dict(spec, training=dict(training, epochs=epochs))
        write_safetensors(os.path.join(HERE, "final.safetensors"), saved_state(model),
                          {"format": "nn-playground-weights", "spec": json.dumps(saved), "epoch": str(epoch), "run": "train.py"})
    if distributed:
        dist.destroy_process_group()


if __name__ == "__main__":
    main()
`;

/** Each recurrent cell's layer (the program holds the one its model uses), named Layer there. */
const RECURRENT_LAYERS: Record<RecurrentCell, string> = {
  lstm: String.raw`

class LSTMLayer(nn.Module):
    """nn.LSTM's equations and gate order (i, f, g, o), but with ONE bias where nn.LSTM has two
    (b_ih + b_hh: the same function, one vector fewer), and weights stored [inputs, 4·units]."""

    def __init__(self, inputs, units):
        super().__init__()
        self.weight_x = nn.Parameter(torch.empty(inputs, 4 * units))
        self.weight_h = nn.Parameter(torch.empty(units, 4 * units))
        self.bias = nn.Parameter(torch.empty(4 * units))

    def forward(self, x):  # (B, T, inputs) -> (B, T, units)
        B, T, _ = x.shape
        units = self.weight_h.shape[0]
        projected = x @ self.weight_x + self.bias  # every step's input projection at once: (B, T, 4·units)
        h = c = x.new_zeros(B, units)
        outputs = []
        for t in range(T):
            i, f, g, o = (projected[:, t] + h @ self.weight_h).chunk(4, dim=1)
            c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
            h = torch.sigmoid(o) * torch.tanh(c)
            outputs.append(h)
        return torch.stack(outputs, dim=1)
`,
  gru: String.raw`

class GRULayer(nn.Module):
    """nn.GRU's equations, gate order (r, z, n) and two biases, with weights stored [inputs, 3·units]."""

    def __init__(self, inputs, units):
        super().__init__()
        self.weight_x = nn.Parameter(torch.empty(inputs, 3 * units))
        self.weight_h = nn.Parameter(torch.empty(units, 3 * units))
        self.bias_x = nn.Parameter(torch.empty(3 * units))
        self.bias_h = nn.Parameter(torch.empty(3 * units))

    def forward(self, x):  # (B, T, inputs) -> (B, T, units)
        B, T, _ = x.shape
        units = self.weight_h.shape[0]
        projected = x @ self.weight_x + self.bias_x  # every step's input projection at once
        h = x.new_zeros(B, units)
        outputs = []
        for t in range(T):
            xr, xz, xn = projected[:, t].chunk(3, dim=1)
            hr, hz, hn = (h @ self.weight_h + self.bias_h).chunk(3, dim=1)
            r, z = torch.sigmoid(xr + hr), torch.sigmoid(xz + hz)
            n = torch.tanh(xn + r * hn)
            h = (1 - z) * n + z * h
            outputs.append(h)
        return torch.stack(outputs, dim=1)
`,
  rnn: String.raw`

class RNNLayer(nn.Module):
    """nn.RNN with tanh, with ONE bias (b_ih + b_hh) and weights stored [inputs, units]."""

    def __init__(self, inputs, units):
        super().__init__()
        self.weight_x = nn.Parameter(torch.empty(inputs, units))
        self.weight_h = nn.Parameter(torch.empty(units, units))
        self.bias = nn.Parameter(torch.empty(units))

    def forward(self, x):  # (B, T, inputs) -> (B, T, units)
        B, T, _ = x.shape
        projected = x @ self.weight_x + self.bias
        h = x.new_zeros(B, self.weight_h.shape[0])
        outputs = []
        for t in range(T):
            h = torch.tanh(projected[:, t] + h @ self.weight_h)
            outputs.append(h)
        return torch.stack(outputs, dim=1)
`,
};

/** The model's code: for a recurrent model, its cell's layer first. */
function modelCode(model: ModelSpec): string {
  if (model.kind !== 'lstm') return MODELS[model.kind];
  const layer = RECURRENT_LAYERS[model.cell];
  const name = /class (\w+)\(/.exec(layer)![1];
  return `${layer.trimEnd()}\n\n\nLayer = ${name}\nCELL = "${model.cell}"\n\n\n${MODELS.lstm.trimStart()}`;
}

/** Optimizers PyTorch lacks, written out only in the programs that use them (keeping the file short). */
const OPTIMIZERS: Partial<Record<OptimizerKind, string>> = {
  lion: String.raw`

class Lion(torch.optim.Optimizer):
    """Lion (Chen et al. 2023), which PyTorch lacks: decoupled decay, w -= lr * sign(beta1 m + (1 - beta1) g),
    then m = beta2 m + (1 - beta2) g."""

    def __init__(self, params, lr, betas):
        super().__init__(params, dict(lr=lr, betas=betas))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            beta1, beta2 = group["betas"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                m = self.state[p].setdefault("m", torch.zeros_like(p))
                p.mul_(1 - group["lr"] * group["weight_decay"])
                p.add_(torch.sign(beta1 * m + (1 - beta1) * p.grad), alpha=-group["lr"])
                m.mul_(beta2).add_(p.grad, alpha=1 - beta2)
`,
  muon: String.raw`

def orthogonalize(G, steps=5, eps=1e-7):
    """Muon's quintic Newton-Schulz iteration (Keller Jordan's coefficients), on the wide orientation."""
    a, b, c = 3.4445, -4.7750, 2.0315
    tall = G.size(0) > G.size(1)
    X = G.T if tall else G
    X = X / (X.norm() + eps)
    for _ in range(steps):
        A = X @ X.T
        X = a * X + (b * A + c * A @ A) @ X
    return X.T if tall else X


class Muon(torch.optim.Optimizer):
    """Muon (Jordan et al. 2024) for weights stored [inputs, outputs]: Nesterov momentum, orthogonalised, scaled by
    sqrt(max(1, outputs / inputs)), with decoupled decay. Only for 2-D parameters; make_optimizer gives the rest to AdamW."""

    def __init__(self, params, lr, momentum):
        super().__init__(params, dict(lr=lr, momentum=momentum))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            mu = group["momentum"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                buf = self.state[p].setdefault("momentum", torch.zeros_like(p))
                buf.lerp_(p.grad, 1 - mu)
                update = orthogonalize(p.grad.lerp(buf, mu))
                p.mul_(1 - group["lr"] * group["weight_decay"])
                p.add_(update, alpha=-group["lr"] * max(1, p.size(1) / p.size(0)) ** 0.5)


class Optimizers:
    """Several optimizers stepped as one (Muon's matrices with AdamW's rest), with their groups in one list."""

    def __init__(self, *parts):
        self.parts = parts
        self.param_groups = [g for o in parts for g in o.param_groups]

    def zero_grad(self, set_to_none=True):
        for o in self.parts:
            o.zero_grad(set_to_none=set_to_none)

    def step(self):
        for o in self.parts:
            o.step()
`,
};

/** The program for one model and optimizer. */
export function trainPy(model: ModelSpec, optimizer: OptimizerKind): string {
  return HEADER + modelCode(model) + (OPTIMIZERS[optimizer] ?? '') + TRAINING;
}
