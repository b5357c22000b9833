"""Golden values for the LSTM, GRU, RNN, attention and normalisation tests, from PyTorch's own modules (Debian's python3-torch).

Run: /usr/bin/python3 scripts/golden/sequence.py > test/fixtures/sequence.json
Each case: fixed random weights and input, the forward output, and the gradients of
loss = sum(output * R) for a fixed random R. Weights are stored in our layout
(x @ W, i.e. PyTorch's weight transposed). CI does not need PyTorch: the JSON is committed.
"""
import json
import math
import torch
import torch.nn.functional as F

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


def batch_norm_case():
    """nn.BatchNorm1d: a training pass (the batch's statistics, and the running ones it updates), then evaluation."""
    bn = torch.nn.BatchNorm1d(6)
    torch.nn.init.normal_(bn.weight, mean=1, std=0.2)
    torch.nn.init.normal_(bn.bias, std=0.2)
    bn.running_mean.normal_()
    bn.running_var.uniform_(0.5, 1.5)
    start = {"runningMean": flat(bn.running_mean), "runningVar": flat(bn.running_var)}
    x = torch.randn(5, 6, requires_grad=True)
    R = torch.randn(5, 6)
    out = bn(x)
    (out * R).sum().backward()
    bn.eval()
    x_eval = torch.randn(3, 6)
    return {
        "x": flat(x), "R": flat(R), "gamma": flat(bn.weight), "beta": flat(bn.bias), "start": start, "out": flat(out),
        "grad": {"x": flat(x.grad), "gamma": flat(bn.weight.grad), "beta": flat(bn.bias.grad)},
        "runningMean": flat(bn.running_mean), "runningVar": flat(bn.running_var),
        "xEval": flat(x_eval), "outEval": flat(bn(x_eval)),
    }


def alibi_slopes(n):
    """ALiBi's head slopes, as the paper's code (github.com/ofirpress/attention_with_linear_biases) computes them."""
    def power_of_2(n):
        start = 2 ** (-2 ** -(math.log2(n) - 3))
        return [start * start ** i for i in range(n)]
    if math.log2(n).is_integer():
        return power_of_2(n)
    closest = 2 ** math.floor(math.log2(n))
    return power_of_2(closest) + alibi_slopes(2 * closest)[0::2][: n - closest]


def transformer_case(layers, d, heads, vocab, position, norm, placement, activation, tied):
    """A whole decoder-only transformer from its papers' definitions on PyTorch's own attention
    (F.multi_head_attention_forward): parameters by the app's names in its layout, the logits of a
    batch of tokens, and every parameter's gradient of loss = sum(logits * R)."""
    B, T = 2, 5
    hidden = math.ceil(8 * d / 3) if activation == "swiglu" else 4 * d
    fc1 = 2 * hidden if activation == "swiglu" else hidden  # SwiGLU: the gate's columns, then the value's
    P = {}

    def param(name, *shape, scale=0.3, mean=0.0):
        P[name] = (mean + scale * torch.randn(*shape)).requires_grad_()
        return P[name]

    def norm_params(prefix):
        gain = param(prefix + ".weight", d, scale=0.2, mean=1.0)
        return gain, (param(prefix + ".bias", d, scale=0.1) if norm == "layerNorm" else None)

    def normalise(x, params):
        gain, bias = params
        if norm == "layerNorm":
            return F.layer_norm(x, (d,), gain, bias, 1e-5)
        return x * torch.rsqrt(x.square().mean(-1, keepdim=True) + 1e-5) * gain  # RMSNorm (Zhang and Sennrich)

    emb = param("token_embedding.weight", vocab, d)
    pos = param("position_embedding.weight", T, d) if position == "learned" else None
    blocks = []
    for i in range(layers):
        at = f"blocks.{i}."
        blocks.append({
            "ln1": norm_params(at + "ln1"),
            "wqkv": param(at + "attn.qkv.weight", d, 3 * d), "bqkv": param(at + "attn.qkv.bias", 3 * d, scale=0.1),
            "wo": param(at + "attn.out.weight", d, d), "bo": param(at + "attn.out.bias", d, scale=0.1),
            "ln2": norm_params(at + "ln2"),
            "w1": param(at + "mlp.fc1.weight", d, fc1), "b1": param(at + "mlp.fc1.bias", fc1, scale=0.1),
            "w2": param(at + "mlp.fc2.weight", hidden, d), "b2": param(at + "mlp.fc2.bias", d, scale=0.1),
        })
    lnf = norm_params("ln_f") if placement == "pre" else None
    head = None if tied else param("head.weight", d, vocab)
    tokens = torch.randint(0, vocab, (B, T))
    R = torch.randn(B, T, vocab)

    x = emb[tokens]
    if position == "learned":
        x = x + pos
    elif position == "sinusoidal":  # Vaswani et al.: sin on even dimensions, cos on odd, of pos / 10000^(2i/d)
        angles = torch.arange(T, dtype=torch.float64)[:, None] / 10000.0 ** (torch.arange(0, d, 2) / d)[None, :]
        x = x + torch.stack([angles.sin(), angles.cos()], -1).reshape(T, d)
    mask = torch.triu(torch.ones(T, T, dtype=torch.bool), diagonal=1)
    if position == "alibi":  # a float mask per head, for each batch row: (B * heads, T, T)
        distance = torch.arange(T)[None, :] - torch.arange(T)[:, None]  # j - i
        bias = torch.tensor(alibi_slopes(heads))[:, None, None] * distance
        mask = bias.masked_fill(distance > 0, float("-inf")).repeat(B, 1, 1)

    def attend(h, b):
        out, _ = F.multi_head_attention_forward(
            h.transpose(0, 1), h.transpose(0, 1), h.transpose(0, 1), d, heads, b["wqkv"].t(), b["bqkv"], None, None,
            False, 0.0, b["wo"].t(), b["bo"], training=False, need_weights=False, attn_mask=mask)
        return out.transpose(0, 1)

    def mlp(h, b):
        h = h @ b["w1"] + b["b1"]
        if activation == "swiglu":
            gate, value = h.chunk(2, -1)
            h = F.silu(gate) * value
        else:
            h = F.relu(h) if activation == "relu" else F.gelu(h, approximate="tanh")
        return h @ b["w2"] + b["b2"]

    for b in blocks:
        if placement == "pre":  # GPT-2
            x = x + attend(normalise(x, b["ln1"]), b)
            x = x + mlp(normalise(x, b["ln2"]), b)
        else:  # the original transformer
            x = normalise(x + attend(x, b), b["ln1"])
            x = normalise(x + mlp(x, b), b["ln2"])
    if lnf:
        x = normalise(x, lnf)
    logits = x @ (emb.t() if tied else head)
    (logits * R).sum().backward()
    return {
        "model": {"layers": layers, "dModel": d, "heads": heads, "position": position, "norm": norm,
                  "normPlacement": placement, "mlpActivation": activation, "tiedEmbeddings": tied},
        "shape": {"batch": B, "time": T, "vocab": vocab},
        "tokens": tokens.flatten().tolist(), "R": flat(R),
        "params": {name: flat(p) for name, p in P.items()},
        "logits": flat(logits),
        "grad": {name: flat(p.grad) for name, p in P.items()},
    }


print(json.dumps({
    "generator": "scripts/golden/sequence.py", "torch": torch.__version__,
    "lstm": lstm_case(), "attention": attention_case(), "layerNorm": layer_norm_case(),
    "gru": gru_case(), "rnn": rnn_case(), "rmsNorm": rms_norm_case(), "ropeAttention": rope_attention_case(),
    "batchNorm": batch_norm_case(),
    "transformers": [
        transformer_case(2, 8, 2, 7, "sinusoidal", "layerNorm", "post", "swiglu", tied=True),
        transformer_case(1, 8, 2, 7, "learned", "rmsNorm", "pre", "relu", tied=False),
        transformer_case(1, 8, 2, 7, "none", "layerNorm", "pre", "gelu", tied=False),
        transformer_case(1, 12, 6, 7, "alibi", "layerNorm", "pre", "gelu", tied=False),  # 6 heads: not a power of two
    ],
}))
