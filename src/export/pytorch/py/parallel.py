"""
Model parallelism for train.py: `--parallel tensor` splits each layer's matrices across processes (Megatron-LM's
way), `--parallel pipeline` gives each process a run of consecutive layers and streams micro-batches through them
(GPipe's way). Both reproduce one process's losses: the same sums, only computed in pieces. Every message a process
sends during a step is counted here, so `--report-communication` can say how many bytes each one sent.
"""
import torch
import torch.distributed as dist
import torch.nn as nn

BYTES = 4  # float32


class Traffic:
    """The bytes this process sends while counting is on: for an all-reduce over G processes, what a ring all-reduce
    sends (2(G-1)/G of the tensor); for an all-gather, G-1 times this process's piece; for a send, the tensor."""

    counting = False
    sent = 0.0

    @classmethod
    def add(cls, numel, factor=1.0):
        if cls.counting:
            cls.sent += numel * BYTES * factor


class Group:
    """Some of the processes: their process group, this process's place among them and how many they are."""

    def __init__(self, ranks):
        self.ranks = list(ranks)
        self.group = dist.new_group(self.ranks) if len(self.ranks) > 1 else None
        me = dist.get_rank()
        self.rank = self.ranks.index(me) if me in self.ranks else -1
        self.size = len(self.ranks)

    def all_reduce(self, t):
        if self.size > 1:
            Traffic.add(t.numel(), 2 * (self.size - 1) / self.size)
            dist.all_reduce(t, group=self.group)
        return t

    def all_gather(self, t):  # pieces side by side along the last dimension
        if self.size == 1:
            return t
        Traffic.add(t.numel(), self.size - 1)
        pieces = [torch.empty_like(t) for _ in range(self.size)]
        dist.all_gather(pieces, t.contiguous(), group=self.group)
        return torch.cat(pieces, -1)

    def mine(self, t):  # this process's piece of the last dimension
        return t.chunk(self.size, -1)[self.rank].contiguous()


def groups_of(world, tensor_size):
    """Tensor groups of consecutive ranks ([0, 1], [2, 3] for 4 processes of 2 each) and data groups across them
    ([0, 2], [1, 3]); every process makes every group, as torch.distributed asks. Returns this process's two."""
    mine = dist.get_rank()
    tensor = [Group(range(g * tensor_size, (g + 1) * tensor_size)) for g in range(world // tensor_size)]
    data = [Group(range(t, world, tensor_size)) for t in range(tensor_size)]
    return tensor[mine // tensor_size], data[mine % tensor_size]


# -- the crossings between whole and split values, each with the backward pass its forward needs --
# Every process computes the same whole loss, so a gradient of a whole value is already the same everywhere: the
# backward passes sum only where each process holds a part of it (Megatron-LM's f and g). torch.distributed.nn's
# collectives sum every backward pass (right when each process has a loss of its own, N times too much here); Sum
# is its all_reduce, written out so that its bytes are counted.


class Enter(torch.autograd.Function):
    """A whole value entering split layers: the same forward everywhere; backward, each process holds only its
    layers' part of the gradient, so the parts are summed."""

    @staticmethod
    def forward(ctx, x, group):
        ctx.group = group
        return x.view_as(x)

    @staticmethod
    def backward(ctx, grad):
        return ctx.group.all_reduce(grad.contiguous().clone()), None


class Leave(torch.autograd.Function):
    """Split layers' partial sums leaving as one whole value: summed forward; backward, the gradient of the whole
    value is already the same everywhere."""

    @staticmethod
    def forward(ctx, x, group):
        return group.all_reduce(x.contiguous().clone())

    @staticmethod
    def backward(ctx, grad):
        return grad, None


class Sum(torch.autograd.Function):
    """A sum over the split features (LayerNorm's mean and variance) that split values then use: summed both ways."""

    @staticmethod
    def forward(ctx, x, group):
        ctx.group = group
        return group.all_reduce(x.contiguous().clone())

    @staticmethod
    def backward(ctx, grad):
        return ctx.group.all_reduce(grad.contiguous().clone()), None


class Gather(torch.autograd.Function):
    """Split features put side by side (a residual connection around a layer whose output is whole)."""

    @staticmethod
    def forward(ctx, x, group):
        ctx.group = group
        return group.all_gather(x)

    @staticmethod
    def backward(ctx, grad):
        return ctx.group.mine(grad), None


class Scatter(torch.autograd.Function):
    """This process's features of a whole value (a residual connection around a layer whose output is split)."""

    @staticmethod
    def forward(ctx, x, group):
        ctx.group = group
        return group.mine(x)

    @staticmethod
    def backward(ctx, grad):
        return ctx.group.all_gather(grad.contiguous()), None


# -- tensor parallelism --


def piece(t, dim, pieces, group):
    """This process's share of t along dim; t made of `pieces` equal blocks (q, k and v) is shared block by block."""
    return torch.cat([p.chunk(group.size, dim)[group.rank] for p in t.chunk(pieces, dim)], dim).clone()


class ColumnDense(nn.Module):
    """A Dense layer holding a share of its outputs (its weight's columns and its bias): whole input, split output."""

    def __init__(self, dense, group, pieces=1):
        super().__init__()
        self.group = group
        self.weight = nn.Parameter(piece(dense.weight.data, 1, pieces, group))
        self.bias = nn.Parameter(piece(dense.bias.data, 0, pieces, group)) if dense.bias is not None else None
        self.shares = {"weight": (1, pieces), **({"bias": (0, pieces)} if self.bias is not None else {})}

    def forward(self, x):
        x = Enter.apply(x, self.group) @ self.weight
        return x if self.bias is None else x + self.bias

    def skip(self, x):
        return Scatter.apply(x, self.group)


class RowDense(nn.Module):
    """A Dense layer holding a share of its inputs (its weight's rows): split input, partial sums added, then the bias."""

    def __init__(self, dense, group):
        super().__init__()
        self.group = group
        self.weight = nn.Parameter(piece(dense.weight.data, 0, 1, group))
        self.bias = dense.bias
        self.shares = {"weight": (0, 1)}

    def forward(self, x):
        x = Leave.apply(x @ self.weight, self.group)
        return x if self.bias is None else x + self.bias

    def skip(self, x):
        return Gather.apply(x, self.group)


class SplitLayerNorm(nn.Module):
    """LayerNorm over features split across processes: the mean and variance summed over all of them."""

    def __init__(self, norm, group, width):
        super().__init__()
        self.group, self.width, self.eps = group, width, norm.eps
        self.weight = nn.Parameter(piece(norm.weight.data, 0, 1, group))
        self.bias = nn.Parameter(piece(norm.bias.data, 0, 1, group))
        self.shares = {"weight": (0, 1), "bias": (0, 1)}

    def forward(self, x):
        mean = Sum.apply(x.sum(-1, keepdim=True), self.group) / self.width
        var = Sum.apply((x - mean).square().sum(-1, keepdim=True), self.group) / self.width
        return (x - mean) * torch.rsqrt(var + self.eps) * self.weight + self.bias


def split_batch_norm(norm, group):
    """BatchNorm normalises each feature on its own, so a share of the features is a smaller BatchNorm."""
    split = nn.BatchNorm1d(norm.num_features // group.size, eps=norm.eps, momentum=norm.momentum)
    for name in ("weight", "bias", "running_mean", "running_var"):
        getattr(split, name).data.copy_(piece(getattr(norm, name).data, 0, 1, group))
    split.num_batches_tracked = norm.num_batches_tracked
    split.shares = {name: (0, 1) for name in ("weight", "bias", "running_mean", "running_var")}
    return split


def check_tensor_split(model, kind, size, optimizer_kind):
    """Refuses, before any process waits on another, a model that cannot be split over `size` processes."""
    def divides(width, what):
        if width % size:
            raise SystemExit(f"--parallel tensor over {size} processes: {what} is {width}, which {size} does not divide")
    if kind not in ("mlp", "transformer"):
        raise SystemExit(f"--parallel tensor splits MLPs and transformers, not this {kind}: use --parallel data or pipeline")
    if optimizer_kind == "muon" and size > 1:
        raise SystemExit("--parallel tensor: Muon orthogonalises whole matrices, which no process holds here: "
                         "use --parallel data or pipeline")
    for i in range(0, len(model.layers) - 1, 2) if kind == "mlp" else []:
        divides(model.sizes[i + 1], f"the width of hidden layer {i + 1}")
    for block in model.blocks if kind == "transformer" else []:
        divides(block.attn.heads, "the number of attention heads")
        divides(block.mlp["fc2"].weight.shape[0], "the width of the blocks' MLP")


def split_mlp(model, group):
    """Layers in pairs: the first's outputs split (with its norm), the second's inputs, one all-reduce per pair. An
    odd last layer stays whole on every process."""
    for i in range(0, len(model.layers) - 1, 2):
        first, second = model.layers[i], model.layers[i + 1]
        column = ColumnDense(first, group)
        if isinstance(getattr(first, "norm", None), nn.LayerNorm):
            column.norm = SplitLayerNorm(first.norm, group, model.sizes[i + 1])
        elif hasattr(first, "norm"):
            column.norm = split_batch_norm(first.norm, group)
        row = RowDense(second, group)
        if hasattr(second, "norm"):
            row.norm = second.norm
        model.layers[i], model.layers[i + 1] = column, row


def split_transformer(model, group):
    """Each block's attention by heads (q, k and v's columns, the output's rows) and its MLP by hidden units."""
    for block in model.blocks:
        attn, mlp = block.attn, block.mlp
        share = attn.heads // group.size
        attn.mine = slice(group.rank * share, (group.rank + 1) * share)
        attn.qkv, attn.out = ColumnDense(attn.qkv, group, pieces=3), RowDense(attn.out, group)
        swiglu = block.activation == "swiglu"  # fc1 holds the gate's columns, then the value's
        mlp["fc1"], mlp["fc2"] = ColumnDense(mlp["fc1"], group, pieces=2 if swiglu else 1), RowDense(mlp["fc2"], group)


class TensorParallel:
    """The model's matrices split across a tensor group; what each process holds and how to put it back together."""

    def __init__(self, model, kind, group):
        (split_mlp if kind == "mlp" else split_transformer)(model, group)
        self.model, self.group, self.device = model, group, next(model.parameters()).device
        self.shares = {f"{path}.{name}": share for path, module in model.named_modules()
                       for name, share in getattr(module, "shares", {}).items()}

    def split(self, name):
        return name in self.shares

    def full_state(self, state):
        """The whole tensors (on every process of the group), from each process's shares."""
        whole = {}
        for name, t in state.items():
            if name not in self.shares or self.group.size == 1:
                whole[name] = t
                continue
            dim, pieces = self.shares[name]
            parts = [torch.empty_like(t) for _ in range(self.group.size)]
            dist.all_gather(parts, t.contiguous(), group=self.group.group)
            blocks = [[p.chunk(pieces, dim)[b] for p in parts] for b in range(pieces)]
            whole[name] = torch.cat([torch.cat(b, dim) for b in blocks], dim)
        return whole

    def squared_norm(self, named):
        """The squared norm of all the gradients: split ones summed over the group, whole ones counted once."""
        zero = torch.zeros((), device=self.device)
        split = sum((p.grad.square().sum() for n, p in named if self.split(n) and p.grad is not None), zero)
        whole = sum((p.grad.square().sum() for n, p in named if not self.split(n) and p.grad is not None), zero)
        return self.group.all_reduce(split.reshape(1))[0] + whole


def clip(parameters, squared_norm, max_norm):
    """torch.nn.utils.clip_grad_norm_ with a norm summed over processes: each holds only some of the gradients."""
    coefficient = max_norm / (squared_norm.sqrt() + 1e-6)
    if coefficient < 1:
        for p in parameters:
            if p.grad is not None:
                p.grad.mul_(coefficient)


def count_all_reduce(parameters, size):
    """Data parallelism's gradient all-reduce (DDP's own, of every gradient each step), counted. Not by a DDP
    communication hook: its callbacks run Python on gloo's threads, and one still waiting for the GIL deadlocked DDP's
    teardown at exit (the main thread joining that thread in ~ProcessGroupGloo, holding the GIL)."""
    Traffic.add(sum(p.numel() for p in parameters if p.requires_grad), 2 * (size - 1) / size)


def tensor_parallel(model, spec, size):
    """--parallel tensor: the model split over groups of `size` processes; the groups share batches (data × tensor)."""
    world = dist.get_world_size()
    if size < 1 or world % size:
        raise SystemExit(f"--tensor-size {size} does not divide the {world} processes")
    kind = spec["model"].get("cell", spec["model"]["kind"])
    check_tensor_split(model, kind, size, spec["training"]["optimizer"]["kind"])
    tensor_group, data_group = groups_of(world, size)
    return TensorParallel(model, kind, tensor_group), data_group


def pipeline(model, spec, micro_batches):
    """--parallel pipeline: a stage of the model per process, each batch in micro-batches (default 4 per stage)."""
    if spec["model"]["kind"] == "cnn":
        raise SystemExit("--parallel pipeline stages MLPs, recurrent networks and transformers, not CNNs: use --parallel data")
    batch = spec["training"]["batchSize"]
    micro_batches = micro_batches or min(batch, 4 * dist.get_world_size())
    if not 1 <= micro_batches <= batch:
        raise SystemExit(f"--micro-batches {micro_batches} cannot split batches of {batch} examples")
    return Pipeline(model, micro_batches)


def average_gradients(parameters, group):
    """Data parallelism beside tensor parallelism: the gradients averaged over the data group in one all-reduce."""
    grads = [p.grad for p in parameters if p.grad is not None]
    if group.size == 1 or not grads:
        return
    flat = group.all_reduce(torch.cat([g.reshape(-1) for g in grads])) / group.size
    for g, part in zip(grads, flat.split([g.numel() for g in grads])):
        g.copy_(part.view_as(g))


# -- pipeline parallelism --


def even_bounds(units, stages):
    """Consecutive runs of units, as even as they divide: 5 layers over 2 stages are [0, 3) and [3, 5)."""
    if stages > units:
        raise SystemExit(f"--parallel pipeline over {stages} processes: the model has only {units} layers (or blocks) to share out")
    sizes = [units // stages + (1 if s < units % stages else 0) for s in range(stages)]
    starts = [sum(sizes[:s]) for s in range(stages)]
    return [(a, a + n) for a, n in zip(starts, sizes)]


class Pipeline:
    """This process's stage: its layers' parameters (the others' are freed), and GPipe's schedule: every micro-batch
    forward through the stages, then every one backward in reverse, the gradients adding up before the step."""

    def __init__(self, model, micro_batches):
        self.model, self.micro_batches = model, micro_batches
        self.stage, self.stages = dist.get_rank(), dist.get_world_size()
        self.device = next(model.parameters()).device
        self.bounds = even_bounds(model.depth, self.stages)
        self.begin, self.end = self.bounds[self.stage]
        self.first, self.last = self.stage == 0, self.stage == self.stages - 1
        # Which stages hold each tensor (a tied embedding: the first and the last), by name.
        names = {id(t): n for n, t in list(model.named_parameters()) + list(model.named_buffers())}
        self.holders = {}
        for s, (a, b) in enumerate(self.bounds):
            for module in model.stage_modules(a, b):
                for t in list(module.parameters()) + list(module.buffers()):
                    self.holders.setdefault(names[id(t)], [])
                    if s not in self.holders[names[id(t)]]:
                        self.holders[names[id(t)]].append(s)
        self.shapes = {n: tuple(t.shape) for n, t in list(model.named_parameters()) + list(model.named_buffers())}
        for n, t in list(model.named_parameters()) + list(model.named_buffers()):
            if self.stage not in self.holders[n]:
                t.data = t.data.new_empty(0)  # another stage's: not kept here
        self.shared = {n: Group(h) for n, h in sorted(self.holders.items()) if len(h) > 1}
        self.everyone = Group(range(self.stages))

    def owned(self):
        """(name, parameter) this stage updates."""
        return [(n, p) for n, p in self.model.named_parameters() if self.stage in self.holders[n]]

    def counted(self):
        """What this stage counts in penalties and norms: a tensor two stages hold, only at the first."""
        return [(n, p) for n, p in self.owned() if self.holders[n][0] == self.stage]

    def send(self, t, to):
        Traffic.add(t.numel())
        dist.send(t.contiguous(), to)

    def receive(self, shape, source):
        t = torch.empty(shape, device=self.device)
        dist.recv(t, source)
        return t

    def step(self, x, y, mask, loss_of):
        """Forward and backward of one batch (every process has all of it) in micro-batches."""
        n = len(x)
        kept = []
        for m in range(self.micro_batches):
            rows = slice(m * n // self.micro_batches, (m + 1) * n // self.micro_batches)
            if self.first:
                given = x[rows]
            else:
                given = self.receive(self.model.boundary(x[rows], self.begin), self.stage - 1).requires_grad_()
            out = self.model.run(given, self.begin, self.end)
            if self.last:
                out = loss_of(out, y[rows], mask[rows])
            else:
                self.send(out.detach(), self.stage + 1)
            kept.append((given, out))
        for given, out in reversed(kept):
            if self.last:
                out.backward()
            else:
                out.backward(self.receive(out.shape, self.stage + 1))
            if not self.first:
                self.send(given.grad, self.stage - 1)

    def join_shared(self):
        """A tensor two stages hold (a tied embedding): the gradients of both its uses, summed on both."""
        parameters = dict(self.model.named_parameters())
        for name, group in self.shared.items():
            if group.rank >= 0 and parameters[name].grad is not None:
                group.all_reduce(parameters[name].grad)

    @torch.no_grad()
    def forward(self, x):
        """The model's output on the last stage (None on the others), for evaluation."""
        given = x if self.first else self.receive(self.model.boundary(x, self.begin), self.stage - 1)
        out = self.model.run(given, self.begin, self.end)
        if self.last:
            return out
        self.send(out, self.stage + 1)
        return None

    def squared_norm(self):
        zero = torch.zeros((), device=self.device)
        local = sum((p.grad.square().sum() for _, p in self.counted() if p.grad is not None), zero)
        return self.everyone.all_reduce(local.reshape(1))[0]

    def full_state(self, state):
        """The whole state on the first process: each tensor sent from the first stage holding it."""
        whole = {}
        for name, t in state.items():
            holder = self.holders[name][0]
            if holder == self.stage:
                whole[name] = t
                if holder != 0:
                    dist.send(t.contiguous(), 0)
            elif self.first:
                whole[name] = self.receive(self.shapes[name], holder)
        return whole
