"""Golden values for the optimizer tests, from PyTorch (Debian's python3-torch).

Run: /usr/bin/python3 scripts/golden/optimizers.py > test/fixtures/optimizers.json
The problem: W (3x2), b (2); loss = mean((tanh(X W + b) - Y)^2) on fixed X (4x3), Y (4x2).
Each case records the parameters after every step. CI does not need PyTorch: the JSON is committed.
"""
import json
import torch

torch.set_default_dtype(torch.float64)

X = torch.tensor([[0.5, -1.0, 2.0], [1.5, 0.3, -0.7], [-1.2, 0.8, 0.1], [0.0, -0.4, 1.1]])
Y = torch.tensor([[1.0, -1.0], [0.5, 0.2], [-0.3, 0.9], [0.0, 0.4]])
W0 = [[0.2, -0.5], [0.7, 0.1], [-0.3, 0.4]]
B0 = [0.05, -0.1]
STEPS = 6

CASES = [
    ("sgd", dict(lr=0.1), lambda p, h: torch.optim.SGD(p, lr=h["lr"])),
    ("momentum", dict(lr=0.1, momentum=0.9), lambda p, h: torch.optim.SGD(p, lr=h["lr"], momentum=h["momentum"])),
    ("momentum", dict(lr=0.05, momentum=0.8, weightDecay=0.01),
     lambda p, h: torch.optim.SGD(p, lr=h["lr"], momentum=h["momentum"], weight_decay=h["weightDecay"])),
    ("nesterov", dict(lr=0.1, momentum=0.9),
     lambda p, h: torch.optim.SGD(p, lr=h["lr"], momentum=h["momentum"], nesterov=True)),
    ("rmsprop", dict(lr=0.01, rho=0.9, epsilon=1e-8),
     lambda p, h: torch.optim.RMSprop(p, lr=h["lr"], alpha=h["rho"], eps=h["epsilon"])),
    ("adagrad", dict(lr=0.1, epsilon=1e-10), lambda p, h: torch.optim.Adagrad(p, lr=h["lr"], eps=h["epsilon"])),
    ("adam", dict(lr=0.01, beta1=0.9, beta2=0.999, epsilon=1e-8),
     lambda p, h: torch.optim.Adam(p, lr=h["lr"], betas=(h["beta1"], h["beta2"]), eps=h["epsilon"])),
    ("adam", dict(lr=0.01, beta1=0.8, beta2=0.99, epsilon=1e-6, weightDecay=0.05),
     lambda p, h: torch.optim.Adam(p, lr=h["lr"], betas=(h["beta1"], h["beta2"]), eps=h["epsilon"],
                                   weight_decay=h["weightDecay"])),
    ("adamw", dict(lr=0.01, beta1=0.9, beta2=0.999, epsilon=1e-8, weightDecay=0.1),
     lambda p, h: torch.optim.AdamW(p, lr=h["lr"], betas=(h["beta1"], h["beta2"]), eps=h["epsilon"],
                                    weight_decay=h["weightDecay"])),
    # RMSprop's momentum and centered, Adam's amsgrad, and decay on matrices only (nanoGPT's
    # parameter groups: 2-D weights decayed, biases not), each against PyTorch.
    ("rmsprop", dict(lr=0.01, rho=0.9, epsilon=1e-8, rmspropMomentum=0.9),
     lambda p, h: torch.optim.RMSprop(p, lr=h["lr"], alpha=h["rho"], eps=h["epsilon"], momentum=h["rmspropMomentum"])),
    ("rmsprop", dict(lr=0.01, rho=0.95, epsilon=1e-6, centered=True),
     lambda p, h: torch.optim.RMSprop(p, lr=h["lr"], alpha=h["rho"], eps=h["epsilon"], centered=True)),
    ("rmsprop", dict(lr=0.005, rho=0.9, epsilon=1e-8, rmspropMomentum=0.5, centered=True, weightDecay=0.01),
     lambda p, h: torch.optim.RMSprop(p, lr=h["lr"], alpha=h["rho"], eps=h["epsilon"], momentum=h["rmspropMomentum"],
                                      centered=True, weight_decay=h["weightDecay"])),
    ("adam", dict(lr=0.05, beta1=0.9, beta2=0.999, epsilon=1e-8, amsgrad=True),
     lambda p, h: torch.optim.Adam(p, lr=h["lr"], betas=(h["beta1"], h["beta2"]), eps=h["epsilon"], amsgrad=True)),
    ("adamw", dict(lr=0.05, beta1=0.8, beta2=0.99, epsilon=1e-8, weightDecay=0.1, amsgrad=True),
     lambda p, h: torch.optim.AdamW(p, lr=h["lr"], betas=(h["beta1"], h["beta2"]), eps=h["epsilon"],
                                    weight_decay=h["weightDecay"], amsgrad=True)),
    ("adamw", dict(lr=0.01, beta1=0.9, beta2=0.999, epsilon=1e-8, weightDecay=0.5, decayMatricesOnly=True),
     lambda p, h: torch.optim.AdamW(matrices_only(p, h["weightDecay"]), lr=h["lr"], betas=(h["beta1"], h["beta2"]),
                                    eps=h["epsilon"])),
    ("momentum", dict(lr=0.05, momentum=0.9, weightDecay=0.2, decayMatricesOnly=True),
     lambda p, h: torch.optim.SGD(matrices_only(p, h["weightDecay"]), lr=h["lr"], momentum=h["momentum"])),
    # Lion and Muon: PyTorch 1.13 has neither; the reference implementations above follow the papers.
    ("lion", dict(lr=0.01, beta1=0.9, beta2=0.99),
     lambda p, h: Lion(p, lr=h["lr"], betas=(h["beta1"], h["beta2"]))),
    ("lion", dict(lr=0.02, beta1=0.95, beta2=0.98, weightDecay=0.5),
     lambda p, h: Lion(p, lr=h["lr"], betas=(h["beta1"], h["beta2"]), weight_decay=h["weightDecay"])),
    ("muon", dict(lr=0.05, momentum=0.95, beta1=0.9, beta2=0.999, epsilon=1e-8),
     lambda p, h: MuonWithAdamW(p, h)),
    ("muon", dict(lr=0.02, momentum=0.9, beta1=0.8, beta2=0.99, epsilon=1e-8, weightDecay=0.1),
     lambda p, h: MuonWithAdamW(p, h)),
]


class Lion(torch.optim.Optimizer):
    """Lion as published (Chen et al. 2023, Algorithm 2, and the authors' lion_pytorch): decoupled decay,
    w <- w - lr * sign(beta1 m + (1 - beta1) g), then m <- beta2 m + (1 - beta2) g."""

    def __init__(self, params, lr, betas=(0.9, 0.99), weight_decay=0.0):
        super().__init__(params, dict(lr=lr, betas=betas, weight_decay=weight_decay))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            beta1, beta2 = group["betas"]
            for p in group["params"]:
                m = self.state[p].setdefault("m", torch.zeros_like(p))
                p.mul_(1 - group["lr"] * group["weight_decay"])
                p.add_(torch.sign(beta1 * m + (1 - beta1) * p.grad), alpha=-group["lr"])
                m.mul_(beta2).add_(p.grad, alpha=1 - beta2)


def newton_schulz(G, steps=5, eps=1e-7):
    """Muon's quintic Newton-Schulz orthogonalisation (Keller Jordan's coefficients), on the wide orientation."""
    a, b, c = 3.4445, -4.7750, 2.0315
    X = G.T if G.size(0) > G.size(1) else G
    X = X / (X.norm() + eps)
    for _ in range(steps):
        A = X @ X.T
        X = a * X + (b * A + c * A @ A) @ X
    return X.T if G.size(0) > G.size(1) else X


class Muon(torch.optim.Optimizer):
    """Muon (Jordan et al. 2024) on 2-D weights stored [inputs, outputs] (x @ W), with Nesterov momentum and
    decoupled decay; the step is scaled by sqrt(max(1, fan_out / fan_in)), as the authors scale nn.Linear's
    [out, in] weight. Biases and other non-matrices go to AdamW, as the authors pair them."""

    def __init__(self, params, lr, momentum=0.95, weight_decay=0.0):
        super().__init__(params, dict(lr=lr, momentum=momentum, weight_decay=weight_decay))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            mu = group["momentum"]
            for p in group["params"]:
                buf = self.state[p].setdefault("momentum", torch.zeros_like(p))
                buf.lerp_(p.grad, 1 - mu)
                update = newton_schulz(p.grad.lerp(buf, mu))
                p.mul_(1 - group["lr"] * group["weight_decay"])
                p.add_(update, alpha=-group["lr"] * max(1, p.size(1) / p.size(0)) ** 0.5)


class MuonWithAdamW:
    def __init__(self, params, h):
        wd = h.get("weightDecay", 0.0)
        matrices = [p for p in params if p.dim() == 2]
        rest = [p for p in params if p.dim() != 2]
        self.parts = [Muon(matrices, h["lr"], h["momentum"], wd),
                      torch.optim.AdamW(rest, lr=h["lr"], betas=(h["beta1"], h["beta2"]), eps=h["epsilon"], weight_decay=wd)]

    def zero_grad(self):
        for o in self.parts:
            o.zero_grad()

    def step(self):
        for o in self.parts:
            o.step()


def matrices_only(params, wd):
    """nanoGPT's groups: weight decay on 2-D parameters, none on biases and gains."""
    return [{"params": [p for p in params if p.dim() >= 2], "weight_decay": wd},
            {"params": [p for p in params if p.dim() < 2], "weight_decay": 0.0}]


def run(kind, hyper, make, clip=0.0):
    W = torch.tensor(W0, requires_grad=True)
    b = torch.tensor(B0, requires_grad=True)
    opt = make([W, b], hyper)
    steps = []
    for _ in range(STEPS):
        opt.zero_grad()
        loss = ((torch.tanh(X @ W + b) - Y) ** 2).mean()
        loss.backward()
        if clip > 0:
            torch.nn.utils.clip_grad_norm_([W, b], clip)
        opt.step()
        steps.append({"W": W.detach().flatten().tolist(), "b": b.detach().tolist()})
    return {"kind": kind, "hyper": hyper, "clipNorm": clip, "steps": steps}


def schedules():
    def lrs(make, n=10):
        p = torch.zeros(1, requires_grad=True)
        opt = torch.optim.SGD([p], lr=0.1)
        sched = make(opt)
        out = []
        for _ in range(n):
            out.append(opt.param_groups[0]["lr"])
            opt.step()
            sched.step()
        return out
    return [
        {"schedule": {"kind": "step", "stepEpochs": 3, "gamma": 0.5, "minLearningRate": 0, "warmupEpochs": 0},
         "lrs": lrs(lambda o: torch.optim.lr_scheduler.StepLR(o, step_size=3, gamma=0.5))},
        {"schedule": {"kind": "exponential", "stepEpochs": 1, "gamma": 0.9, "minLearningRate": 0, "warmupEpochs": 0},
         "lrs": lrs(lambda o: torch.optim.lr_scheduler.ExponentialLR(o, gamma=0.9))},
        {"schedule": {"kind": "cosine", "stepEpochs": 1, "gamma": 0.5, "minLearningRate": 0.001, "warmupEpochs": 0},
         "lrs": lrs(lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, T_max=10, eta_min=0.001))},
    ]


cases = [run(k, h, m) for k, h, m in CASES]
cases.append(run("sgd", dict(lr=0.1), CASES[0][2], clip=0.05))
print(json.dumps({
    "generator": "scripts/golden/optimizers.py", "torch": torch.__version__,
    "X": X.tolist(), "Y": Y.tolist(), "W0": W0, "b0": B0,
    "cases": cases, "schedules": schedules(), "baseLr": 0.1,
}))
