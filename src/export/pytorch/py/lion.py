

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


def make_lion(params, groups, lr, o):
    return Lion(groups, lr=lr, betas=(o["beta1"], o["beta2"]))


EXPORTED_OPTIMIZERS["lion"] = make_lion
