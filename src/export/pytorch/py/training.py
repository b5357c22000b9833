

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


def penalty(parameters, l1, l2):
    """L1 and L2 on the weight matrices only (not biases or LayerNorm gains), as the playground does."""
    matrices = [p for p in parameters if p.dim() >= 2]
    total = 0.0
    if l1 > 0:
        total = total + l1 * sum(p.abs().sum() for p in matrices)
    if l2 > 0:
        total = total + l2 * sum(p.square().sum() for p in matrices)
    return total


@torch.no_grad()
def evaluate(model, task, split, limit, squared, pipeline=None):
    """Loss, accuracy and exact match over a split's first limit examples, in evaluation mode. In a pipeline the
    last stage scores them and tells the others."""
    model.eval()
    x, y, mask = (t[:limit] for t in (split["x"], split["y"], split["mask"]))
    chunk = max(1, EVAL_TOKENS // x.shape[1]) if task in ("language", "toy", "forecast") else len(x)
    loss = count = right = exact = 0.0
    for s in range(0, len(x), chunk):
        out, yc, mc = (pipeline.forward if pipeline else model)(x[s:s + chunk]), y[s:s + chunk], mask[s:s + chunk]
        if out is None:
            continue
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
    if pipeline:
        totals = torch.tensor([loss, count, right, exact], dtype=torch.float64, device=x.device)  # nccl: on the GPU
        dist.broadcast(totals, pipeline.stages - 1)
        loss, count, right, exact = totals.tolist()
    return {"loss": loss / count, "accuracy": right / count, "exactMatch": exact / len(x)}


def figures(task, prefix, scores, exact=True):
    """The scores the task has, named as in the playground's run files: trainLoss, valAccuracy, …"""
    names = ["Loss"] + (["Accuracy"] if task not in ("regression", "forecast") else []) + (["ExactMatch"] if task == "toy" and exact else [])
    return {prefix + name: scores[name[0].lower() + name[1:]] for name in names}


def augment(x, image, a, generator):
    """The playground's augmentation (src/data/augment.ts) with torch's own random numbers, as dropout: each image
    shifted by whole pixels, turned about its centre and mirrored, read bilinearly with zeros outside."""
    h, w, c = image
    n = x.shape[0]
    s = a["shift"]
    shift = (lambda: torch.randint(-s, s + 1, (n,), generator=generator).float()) if s else (lambda: torch.zeros(n))
    dx, dy = shift(), shift()
    theta = -(torch.rand(n, generator=generator) * 2 - 1) * a["rotation"] * math.pi / 180
    flip = torch.rand(n, generator=generator) < 0.5 if a["flip"] else torch.zeros(n, dtype=torch.bool)
    cos, sin, sigma = theta.cos(), theta.sin(), 1 - 2 * flip.float()
    cx, cy = (w - 1) / 2, (h - 1) / 2
    qx, qy = cx + dx, cy + dy
    # Where each output pixel reads the input, as the app's inverseMap, in pixel coordinates.
    rows, cols = torch.meshgrid(torch.arange(h).float(), torch.arange(w).float(), indexing="ij")
    per = lambda v: v[:, None, None]  # noqa: E731
    x_in = per(sigma * cos) * cols + per(sigma * sin) * rows + per(cx - sigma * (cos * qx + sin * qy))
    y_in = per(-sin) * cols + per(cos) * rows + per(cy - (-sin * qx + cos * qy))
    grid = torch.stack([2 * x_in / (w - 1) - 1, 2 * y_in / (h - 1) - 1], -1).to(x.device)
    images = x.view(n, h, w, c).permute(0, 3, 1, 2)
    out = F.grid_sample(images, grid, mode="bilinear", padding_mode="zeros", align_corners=True)
    return out.permute(0, 2, 3, 1).reshape(n, -1)


def make_optimizer(o, params):
    """The spec's optimizer with PyTorch's own classes, whose conventions the playground follows."""
    decay = o["weightDecay"]
    params = list(params)
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
    if kind in ("lion", "muon"):
        if kind not in EXPORTED_OPTIMIZERS:
            sys.exit(f"spec.json asks for {kind}, which this program was not exported with: export it again from the playground")
        return EXPORTED_OPTIMIZERS[kind](params, groups, lr, o)
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


def decode(info, ids):
    """Token ids as text: byte pairs join their bytes (built from the merges) before reading them as UTF-8."""
    if info.get("merges") is None:
        return "".join(info["tokens"][i] for i in ids)
    merges, pieces = info["merges"], [bytes([b]) for b in range(256)]
    for k in range(0, len(merges), 2):
        pieces.append(pieces[merges[k]] + pieces[merges[k + 1]])
    return b"".join(pieces[i] if i < len(pieces) else b"" for i in ids).decode("utf-8", errors="replace")


def draw_distribution(logits, temperature, top_k, top_p):
    """The distribution a token is drawn from, as the app cuts it: temperature (0: the likeliest alone), then the
    k likeliest (0: all), then the fewest likeliest whose probabilities reach p (1: all)."""
    if temperature == 0:
        return F.one_hot(logits.argmax(), logits.numel()).float()
    probs = torch.softmax(logits / temperature, -1)
    ordered, order = probs.sort(descending=True, stable=True)
    kept = min(top_k, probs.numel()) if top_k > 0 else probs.numel()
    if top_p < 1:
        before = ordered.cumsum(0) - ordered  # what the likelier tokens hold together
        kept = min(kept, int((before < top_p).sum()))
    cut = torch.zeros_like(probs)
    cut[order[:kept]] = ordered[:kept]
    return cut / cut.sum()


@torch.no_grad()
def sample(model, info, length, cut, seed, device):
    """`length` tokens drawn one at a time from the model's next-token distribution (cut as `cut` says), as text."""
    model.eval()
    generator = torch.Generator().manual_seed(seed)
    tokens = [info["start"]]
    for _ in range(length):
        context = torch.tensor([tokens[-info["length"]:]], device=device)
        logits = model(context)[0, -1].float().cpu()
        tokens.append(int(torch.multinomial(draw_distribution(logits, *cut), 1, generator=generator)))
    return decode(info, tokens[1:])


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
    parser.add_argument("--sample", type=int, default=0, metavar="TOKENS",
                        help="language models: write this many tokens sampled after training to sample.txt")
    parser.add_argument("--temperature", type=float, default=0.8, help="of --sample (default 0.8; 0: the likeliest)")
    parser.add_argument("--top-k", type=int, default=0, help="of --sample: draw from the k likeliest (default 0: all)")
    parser.add_argument("--top-p", type=float, default=1.0,
                        help="of --sample: from the fewest likeliest that together reach p (default 1: all)")
    parser.add_argument("--parallel", choices=["data", "tensor", "pipeline"], default="data",
                        help="under torchrun, how the processes share the work: each a share of every batch (data), "
                             "of every layer's matrices (tensor) or of the layers (pipeline). Default data")
    parser.add_argument("--tensor-size", type=int, help="tensor: processes per split model (default all; fewer: "
                        "the rest share batches, data × tensor)")
    parser.add_argument("--micro-batches", type=int, help="pipeline: pieces of each batch (default 4 per stage)")
    parser.add_argument("--report-communication", action="store_true",
                        help="each process prints the parameters it holds and the bytes it sent in the first step")
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
    if args.tensor_size is not None and args.parallel != "tensor":
        sys.exit("--tensor-size goes with --parallel tensor")
    if args.micro_batches is not None and args.parallel != "pipeline":
        sys.exit("--micro-batches goes with --parallel pipeline")
    if args.parallel != "data" and not distributed:
        print(f"--parallel {args.parallel}: one process holds the whole model (start several with torchrun to split it)",
              file=sys.stderr)
    strategy = args.parallel if distributed else "data"
    share, shares = rank, world  # this process's share of each batch, of how many
    tensor = pipeline = data_group = None
    if strategy == "tensor":  # split the model's matrices (beside data parallelism, with --tensor-size)
        tensor, data_group = parallel.tensor_parallel(model, spec, args.tensor_size or world)
        share, shares = data_group.rank, data_group.size
    elif strategy == "pipeline":  # split its layers; every stage sees whole batches
        pipeline = parallel.pipeline(model, spec, args.micro_batches)
        share, shares = 0, 1
    # Resuming: the optimizer starts afresh (weight files hold no optimizer state); the epochs,
    # schedule and shuffle go on from the epoch the weights were saved at.
    first = int(metadata.get("epoch", 0)) + 1 if args.resume else 1
    epochs = args.epochs or training["epochs"]
    batch_size = training["batchSize"]
    if shares > batch_size:
        sys.exit(f"{shares} processes cannot share batches of {batch_size} examples")
    batch_norm = any(isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d)) for m in model.modules())
    if batch_norm and shares > 1:
        if device.startswith("cuda") and strategy == "data":  # batch statistics over the whole global batch, as in the app
            model = nn.SyncBatchNorm.convert_sync_batchnorm(model)
        elif rank == 0:
            print("BatchNorm on cpu: each process normalises over its own share of the batch "
                  "(PyTorch's SyncBatchNorm needs CUDA), so results differ from one process's", file=sys.stderr)
    if batch_norm and pipeline and pipeline.micro_batches > 1 and rank == 0:
        print(f"BatchNorm in a pipeline: each of the {pipeline.micro_batches} micro-batches is normalised over its own "
              "examples, so results differ from one process's", file=sys.stderr)
    ddp_model = DistributedDataParallel(model) if strategy == "data" and distributed else model
    optimizer = make_optimizer(training["optimizer"], [p for _, p in pipeline.owned()] if pipeline else model.parameters())
    n_train = len(train["x"])
    steps_per_epoch = n_train // batch_size  # the ragged tail of each shuffled epoch is dropped
    shuffle = Mulberry32(derive_seed(spec["seed"], "shuffle"))
    for _ in range(1, first):
        shuffle.permutation(n_train)  # the orders the earlier epochs used
    augment_spec = spec["dataset"].get("augment", {})
    augmenting = bool(info.get("image")) and any(augment_spec.get(k) for k in ("shift", "rotation", "flip"))
    augment_rng = torch.Generator().manual_seed(derive_seed(spec["seed"], "augment"))
    step = (first - 1) * steps_per_epoch
    val_limit = SEQUENCE_VAL_LIMIT if task in ("language", "toy", "forecast") else None
    best = (math.inf, 0)
    epoch = first - 1
    for epoch in range(first, epochs + 1):
        order = torch.tensor(shuffle.permutation(n_train), device=device)
        for b in range(steps_per_epoch):
            batch = order[b * batch_size:(b + 1) * batch_size]
            rows = slice(share * batch_size // shares, (share + 1) * batch_size // shares)  # this process's share
            x, y, mask = (train[k][batch[rows]] for k in ("x", "y", "mask"))
            if augmenting:  # drawn for the whole batch, so any number of processes sees the same images
                x = augment(train["x"][batch], info["image"], spec["dataset"]["augment"], augment_rng)[rows]
            # The mean over the whole batch (every process knows its size); the processes' gradients
            # are averaged, hence × shares.
            count = terms(task, train["y"][batch], train["mask"][batch])
            optimizer.zero_grad(set_to_none=True)
            parallel.Traffic.counting = args.report_communication and b == 0 and epoch == first
            if pipeline:
                pipeline.step(x, y, mask, lambda out, yb, mb: loss_sum(task, out, yb, mb, squared) / count)
                extra = penalty([p for _, p in pipeline.counted()], training["l1"], training["l2"])
                if torch.is_tensor(extra):
                    extra.backward()
                pipeline.join_shared()
            else:
                loss = loss_sum(task, ddp_model(x), y, mask, squared) / count * shares
                (loss + penalty(model.parameters(), training["l1"], training["l2"])).backward()
                if ddp_model is not model:  # DDP all-reduced every gradient once (a ring: 2(G-1)/G of it sent)
                    parallel.count_all_reduce(model.parameters(), dist.get_world_size())
                if tensor:
                    parallel.average_gradients(model.parameters(), data_group)
            if training["clipNorm"] > 0 and (tensor or pipeline):
                named = pipeline.owned() if pipeline else list(model.named_parameters())
                squared_norm = pipeline.squared_norm() if pipeline else tensor.squared_norm(named)
                parallel.clip([p for _, p in named], squared_norm, training["clipNorm"])
            elif training["clipNorm"] > 0:
                torch.nn.utils.clip_grad_norm_(model.parameters(), training["clipNorm"])
            for group in optimizer.param_groups:
                group["lr"] = learning_rate(training, step, steps_per_epoch, epochs)
            optimizer.step()
            step += 1
            if parallel.Traffic.counting:
                held = sum(p.numel() for p in model.parameters())
                print(json.dumps({"communication": {"rank": rank, "parameters": held, "bytesSent": parallel.Traffic.sent}}), flush=True)
                parallel.Traffic.counting = False
        # Every process evaluates (the weights are the same everywhere), so all stop together.
        train_scores = evaluate(model, task, train, TRAIN_EVAL_LIMIT, squared, pipeline)
        val_scores = evaluate(model, task, data["validation"], val_limit, squared, pipeline)
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
    tested = "test" in data and evaluate(model, task, data["test"], None, squared, pipeline)  # once, at the end
    state = saved_state(model)
    if tensor or pipeline:  # the whole model, put together from each process's share
        state = (tensor or pipeline).full_state(state)
    if rank == 0:
        if tested:
            print(json.dumps(figures(task, "test", tested)), flush=True)
        saved = dict(spec, training=dict(training, epochs=epochs))
        about = {"format": "nn-playground-weights", "spec": json.dumps(saved), "epoch": str(epoch), "run": "train.py"}
        if info.get("merges") is not None:  # the tokenizer, so the app reads the weights with it
            about["merges"] = json.dumps(info["merges"])
        write_safetensors(os.path.join(HERE, "final.safetensors"), state, about)
        if args.sample > 0 and task == "language":
            if tensor or pipeline:  # sampled here alone, from the whole model
                model = build_model(spec["model"], info)
                model.load_state_dict(state, strict=False)
                model.to(device)
            cut = (args.temperature, args.top_k, args.top_p)
            text = sample(model, info, args.sample, cut, spec["seed"], device)
            with open(os.path.join(HERE, "sample.txt"), "w", encoding="utf-8") as f:
                f.write(text)
            print(json.dumps({"sample": text}), flush=True)
    if distributed:
        dist.destroy_process_group()


if __name__ == "__main__":
    main()
