"""Golden values for the convolutional layers, from PyTorch's own modules (Debian's python3-torch).

Run: /usr/bin/python3 scripts/golden/conv.py > test/fixtures/conv.json
Each case: fixed random weights and input, the forward output, and the gradients of loss = sum(output * R) for a
fixed random R. Tensors are stored in our layouts: images channels-last [n, h, w, c] (PyTorch: [n, c, h, w]) and
convolution weights [kh, kw, in, out] (PyTorch: [out, in, kh, kw]). CI does not need PyTorch: the JSON is committed.
"""
import json
import torch

torch.manual_seed(0)
torch.set_default_dtype(torch.float64)


def flat(t):
    return [round(v, 10) for v in t.detach().flatten().tolist()]


def image(t):
    """[n, c, h, w] → our [n, h, w, c]."""
    return flat(t.permute(0, 2, 3, 1))


def kernel(w):
    """PyTorch's [out, in, kh, kw] → our [kh, kw, in, out]."""
    return flat(w.permute(2, 3, 1, 0))


def conv_case(n, c_in, h, w, c_out, k, stride, padding):
    """nn.Conv2d with its bias; padding is PyTorch's (the same on every side)."""
    conv = torch.nn.Conv2d(c_in, c_out, k, stride=stride, padding=padding)
    x = torch.randn(n, c_in, h, w, requires_grad=True)
    out = conv(x)
    R = torch.randn(out.shape)
    (out * R).sum().backward()
    return {
        "shape": {"n": n, "h": h, "w": w, "in": c_in, "out": c_out, "kernel": k, "stride": stride, "padding": padding},
        "outShape": [out.shape[0], out.shape[2], out.shape[3], out.shape[1]],
        "x": image(x), "R": image(R), "weight": kernel(conv.weight), "bias": flat(conv.bias),
        "out": image(out),
        "grad": {"x": image(x.grad), "weight": kernel(conv.weight.grad), "bias": flat(conv.bias.grad)},
    }


def pool_case(kind, n, c, h, w, size, stride):
    """nn.MaxPool2d or nn.AvgPool2d without padding (rows and columns past the last whole window are dropped)."""
    pool = (torch.nn.MaxPool2d if kind == "max" else torch.nn.AvgPool2d)(size, stride=stride)
    x = torch.randn(n, c, h, w, requires_grad=True)
    out = pool(x)
    R = torch.randn(out.shape)
    (out * R).sum().backward()
    return {
        "shape": {"kind": kind, "n": n, "h": h, "w": w, "channels": c, "size": size, "stride": stride},
        "outShape": [out.shape[0], out.shape[2], out.shape[3], out.shape[1]],
        "x": image(x), "R": image(R), "out": image(out), "grad": {"x": image(x.grad)},
    }


def norm_init(bn):
    torch.nn.init.normal_(bn.weight, mean=1, std=0.2)
    torch.nn.init.normal_(bn.bias, std=0.2)
    bn.running_mean.normal_()
    bn.running_var.uniform_(0.5, 1.5)


def batch_norm_2d_case():
    """nn.BatchNorm2d: a training pass (per channel over batch, rows and columns), the running statistics it
    updates, then evaluation."""
    bn = torch.nn.BatchNorm2d(3)
    norm_init(bn)
    start = {"runningMean": flat(bn.running_mean), "runningVar": flat(bn.running_var)}
    x = torch.randn(2, 3, 4, 5, requires_grad=True)
    R = torch.randn(2, 3, 4, 5)
    out = bn(x)
    (out * R).sum().backward()
    bn.eval()
    x_eval = torch.randn(1, 3, 4, 5)
    return {
        "x": image(x), "R": image(R), "gamma": flat(bn.weight), "beta": flat(bn.bias), "start": start,
        "out": image(out),
        "grad": {"x": image(x.grad), "gamma": flat(bn.weight.grad), "beta": flat(bn.bias.grad)},
        "runningMean": flat(bn.running_mean), "runningVar": flat(bn.running_var),
        "xEval": image(x_eval), "outEval": image(bn(x_eval)),
    }


class BasicBlock(torch.nn.Module):
    """ResNet's basic block: two 3×3 convolutions (no bias) each with BatchNorm, ReLU between, and a skip
    connection (a 1×1 convolution with BatchNorm where the stride or the channels change); ReLU after the sum."""

    def __init__(self, c_in, c_out, stride):
        super().__init__()
        self.conv1 = torch.nn.Conv2d(c_in, c_out, 3, stride=stride, padding=1, bias=False)
        self.bn1 = torch.nn.BatchNorm2d(c_out)
        self.conv2 = torch.nn.Conv2d(c_out, c_out, 3, stride=1, padding=1, bias=False)
        self.bn2 = torch.nn.BatchNorm2d(c_out)
        self.project = stride != 1 or c_in != c_out
        if self.project:
            self.conv3 = torch.nn.Conv2d(c_in, c_out, 1, stride=stride, bias=False)
            self.bn3 = torch.nn.BatchNorm2d(c_out)

    def forward(self, x):
        y = torch.relu(self.bn1(self.conv1(x)))
        y = self.bn2(self.conv2(y))
        skip = self.bn3(self.conv3(x)) if self.project else x
        return torch.relu(y + skip)


def residual_case(c_in, c_out, stride):
    block = BasicBlock(c_in, c_out, stride)
    norms = [block.bn1, block.bn2] + ([block.bn3] if block.project else [])
    for bn in norms:
        torch.nn.init.normal_(bn.weight, mean=1, std=0.2)
        torch.nn.init.normal_(bn.bias, std=0.2)
    x = torch.randn(2, c_in, 6, 6, requires_grad=True)
    out = block(x)
    R = torch.randn(out.shape)
    (out * R).sum().backward()
    convs = {"conv1": block.conv1, "conv2": block.conv2, **({"conv3": block.conv3} if block.project else {})}
    bns = {"bn1": block.bn1, "bn2": block.bn2, **({"bn3": block.bn3} if block.project else {})}
    params = {**{k: kernel(c.weight) for k, c in convs.items()},
              **{f"{k}.gamma": flat(b.weight) for k, b in bns.items()},
              **{f"{k}.beta": flat(b.bias) for k, b in bns.items()}}
    grads = {**{k: kernel(c.weight.grad) for k, c in convs.items()},
             **{f"{k}.gamma": flat(b.weight.grad) for k, b in bns.items()},
             **{f"{k}.beta": flat(b.bias.grad) for k, b in bns.items()}}
    return {
        "shape": {"n": 2, "h": 6, "w": 6, "in": c_in, "out": c_out, "stride": stride},
        "outShape": [out.shape[0], out.shape[2], out.shape[3], out.shape[1]],
        "x": image(x), "R": image(R), "params": params, "out": image(out),
        "grad": {"x": image(x.grad), **grads},
        "runningMean": {k: flat(b.running_mean) for k, b in bns.items()},
        "runningVar": {k: flat(b.running_var) for k, b in bns.items()},
    }


print(json.dumps({
    "generator": "scripts/golden/conv.py", "torch": torch.__version__,
    "convolutions": [
        conv_case(2, 3, 7, 6, 4, 3, 1, 1),
        conv_case(2, 2, 9, 8, 5, 3, 2, 1),  # stride 2, padded on every side as PyTorch pads
        conv_case(1, 1, 11, 7, 3, 5, 2, 0),  # sizes the stride does not divide
        conv_case(3, 4, 5, 5, 2, 1, 1, 0),
    ],
    "pools": [
        pool_case("max", 2, 3, 7, 6, 2, 2),
        pool_case("avg", 2, 3, 7, 6, 2, 2),
        pool_case("max", 1, 2, 9, 9, 3, 2),
        pool_case("avg", 1, 2, 9, 9, 3, 2),
    ],
    "batchNorm2d": batch_norm_2d_case(),
    "residual": [residual_case(3, 3, 1), residual_case(3, 5, 2)],
}))
