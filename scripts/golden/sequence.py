"""Golden values for the LSTM, GRU, RNN and attention tests, from PyTorch's own modules (Debian's python3-torch).

Run: /usr/bin/python3 scripts/golden/sequence.py > test/fixtures/sequence.json
Each case: fixed random weights and input, the forward output, and the gradients of
loss = sum(output * R) for a fixed random R. Weights are stored in our layout
(x @ W, i.e. PyTorch's weight transposed). CI does not need PyTorch: the JSON is committed.
"""
import json
import math
import torch

torch.manual_seed(0)
torch.set_default_dtype(torch.float64)


def flat(t):
    return [round(v, 10) for v in t.detach().flatten().tolist()]


def recurrent_case(make, summed_bias):
    """One PyTorch recurrent layer (make(inputs, units)) on a fixed input: weights in our layout, and
    either the one summed bias (LSTM, RNN: b_ih + b_hh) or both (GRU: bx, bh)."""
    B, T, I, H = 2, 4, 3, 5
    layer = make(I, H)
    x = torch.randn(B, T, I, requires_grad=True)
    R = torch.randn(B, T, H)
    out, _ = layer(x)
    (out * R).sum().backward()
    if summed_bias:  # d loss / d b_ih equals d loss / d (b_ih + b_hh)
        biases = {"b": flat(layer.bias_ih_l0 + layer.bias_hh_l0)}
        bias_grads = {"b": flat(layer.bias_ih_l0.grad)}
    else:
        biases = {"bx": flat(layer.bias_ih_l0), "bh": flat(layer.bias_hh_l0)}
        bias_grads = {"bx": flat(layer.bias_ih_l0.grad), "bh": flat(layer.bias_hh_l0.grad)}
    return {
        "shape": {"batch": B, "time": T, "inputs": I, "units": H},
        "x": flat(x), "R": flat(R),
        "wx": flat(layer.weight_ih_l0.t()), "wh": flat(layer.weight_hh_l0.t()),
        **biases,
        "out": flat(out),
        "grad": {
            "x": flat(x.grad), "wx": flat(layer.weight_ih_l0.grad.t()), "wh": flat(layer.weight_hh_l0.grad.t()),
            **bias_grads,
        },
    }


def lstm_case():
    return recurrent_case(lambda i, h: torch.nn.LSTM(i, h, batch_first=True), summed_bias=True)


def attention_case():
    B, T, D, heads = 2, 4, 6, 2
    mha = torch.nn.MultiheadAttention(D, heads, batch_first=True)
    torch.nn.init.normal_(mha.in_proj_bias, std=0.1)
    torch.nn.init.normal_(mha.out_proj.bias, std=0.1)
    x = torch.randn(B, T, D, requires_grad=True)
    R = torch.randn(B, T, D)
    mask = torch.triu(torch.ones(T, T, dtype=torch.bool), diagonal=1)  # True = may not attend
    out, weights = mha(x, x, x, attn_mask=mask, average_attn_weights=False, need_weights=True)
    (out * R).sum().backward()
    return {
        "shape": {"batch": B, "time": T, "d": D, "heads": heads},
        "x": flat(x), "R": flat(R),
        "wqkv": flat(mha.in_proj_weight.t()), "bqkv": flat(mha.in_proj_bias),
        "wo": flat(mha.out_proj.weight.t()), "bo": flat(mha.out_proj.bias),
        "out": flat(out), "weights": flat(weights),
        "grad": {
            "x": flat(x.grad), "wqkv": flat(mha.in_proj_weight.grad.t()), "bqkv": flat(mha.in_proj_bias.grad),
            "wo": flat(mha.out_proj.weight.grad.t()), "bo": flat(mha.out_proj.bias.grad),
        },
    }


def layer_norm_case():
    ln = torch.nn.LayerNorm(6)
    torch.nn.init.normal_(ln.weight, mean=1, std=0.2)
    torch.nn.init.normal_(ln.bias, std=0.2)
    x = torch.randn(3, 6, requires_grad=True)
    R = torch.randn(3, 6)
    out = ln(x)
    (out * R).sum().backward()
    return {
        "x": flat(x), "R": flat(R), "gamma": flat(ln.weight), "beta": flat(ln.bias), "out": flat(out),
        "grad": {"x": flat(x.grad), "gamma": flat(ln.weight.grad), "beta": flat(ln.bias.grad)},
    }


def gru_case():
    return recurrent_case(lambda i, h: torch.nn.GRU(i, h, batch_first=True), summed_bias=False)


def rnn_case():
    return recurrent_case(lambda i, h: torch.nn.RNN(i, h, nonlinearity="tanh", batch_first=True), summed_bias=True)


def rms_norm_case():
    """RMSNorm as Zhang and Sennrich define it (PyTorch 1.13 has no module): x / sqrt(mean(x^2) + 1e-5) * g."""
    x = torch.randn(3, 6, requires_grad=True)
    g = (1 + 0.2 * torch.randn(6)).requires_grad_()
    R = torch.randn(3, 6)
    out = x * torch.rsqrt(x.square().mean(-1, keepdim=True) + 1e-5) * g
    (out * R).sum().backward()
    return {"x": flat(x), "R": flat(R), "gamma": flat(g), "out": flat(out), "grad": {"x": flat(x.grad), "gamma": flat(g.grad)}}


def rope_attention_case():
    """Causal attention with q and k rotated as GPT-NeoX / LLaMA's rotary embedding (rotate_half form)."""
    B, T, D, heads = 2, 5, 8, 2
    hs = D // heads
    Wqkv = (0.3 * torch.randn(D, 3 * D)).requires_grad_()
    bqkv = (0.1 * torch.randn(3 * D)).requires_grad_()
    Wo = (0.3 * torch.randn(D, D)).requires_grad_()
    bo = (0.1 * torch.randn(D)).requires_grad_()
    x = torch.randn(B, T, D, requires_grad=True)
    R = torch.randn(B, T, D)
    theta = 10000.0 ** (-torch.arange(hs // 2, dtype=torch.float64) * 2 / hs)
    angles = torch.arange(T, dtype=torch.float64)[:, None] * theta[None, :]
    angles = torch.cat([angles, angles], -1)
    cos, sin = angles.cos(), angles.sin()

    def rotate(t):
        t1, t2 = t.chunk(2, -1)
        return t * cos + torch.cat([-t2, t1], -1) * sin

    q, k, v = (x @ Wqkv + bqkv).view(B, T, 3, heads, hs).permute(2, 0, 3, 1, 4)
    scores = rotate(q) @ rotate(k).transpose(-2, -1) / math.sqrt(hs)
    scores = scores.masked_fill(torch.triu(torch.ones(T, T, dtype=torch.bool), 1), float("-inf"))
    weights = scores.softmax(-1)
    out = (weights @ v).transpose(1, 2).reshape(B, T, D) @ Wo + bo
    (out * R).sum().backward()
    return {
        "shape": {"batch": B, "time": T, "d": D, "heads": heads},
        "x": flat(x), "R": flat(R), "wqkv": flat(Wqkv), "bqkv": flat(bqkv), "wo": flat(Wo), "bo": flat(bo),
        "out": flat(out), "weights": flat(weights),
        "grad": {"x": flat(x.grad), "wqkv": flat(Wqkv.grad), "bqkv": flat(bqkv.grad), "wo": flat(Wo.grad), "bo": flat(bo.grad)},
    }


print(json.dumps({
    "generator": "scripts/golden/sequence.py", "torch": torch.__version__,
    "lstm": lstm_case(), "attention": attention_case(), "layerNorm": layer_norm_case(),
    "gru": gru_case(), "rnn": rnn_case(), "rmsNorm": rms_norm_case(), "ropeAttention": rope_attention_case(),
}))
