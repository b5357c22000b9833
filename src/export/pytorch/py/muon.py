

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


def make_muon(params, groups, lr, o):
    """Muon for the weight matrices, AdamW for the rest, as its authors pair them."""
    matrices = [p for p in params if p.dim() == 2]
    rest = [g for g in ({**g, "params": [p for p in g["params"] if p.dim() != 2]} for g in groups) if g["params"]]
    parts = [Muon([{"params": matrices, "weight_decay": o["weightDecay"]}], lr=lr, momentum=o["momentum"])]
    if rest:
        parts.append(torch.optim.AdamW(rest, lr=lr, betas=(o["beta1"], o["beta2"]), eps=o["epsilon"]))
    return Optimizers(*parts)


EXPORTED_OPTIMIZERS["muon"] = make_muon
