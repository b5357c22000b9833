

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
        self.head_size, self.mine = d // heads, slice(0, heads)  # the heads computed here (tensor parallel: a share)
        self.qkv = Dense(d, 3 * d)
        self.out = Dense(d, d)

    def forward(self, x):  # (B, T, d) -> (B, T, d)
        B, T, _ = x.shape
        hs, heads = self.head_size, self.mine.stop - self.mine.start
        q, k, v = self.qkv(x).view(B, T, 3, heads, hs).permute(2, 0, 3, 1, 4)  # each (B, nh, T, hs)
        if self.position == "rope":
            cos, sin = rope_tables(T, hs, x.device)
            q, k = rotate(q, cos, sin), rotate(k, cos, sin)
        # The playground's causal mask adds -1e9 (not -inf) after each position.
        mask = torch.triu(torch.full((T, T), -1e9, device=x.device), diagonal=1)
        if self.position == "alibi":
            mask = alibi_mask(T, self.heads, x.device)[self.mine]
        att = (q @ k.transpose(-2, -1) * (1 / math.sqrt(hs)) + mask).softmax(dim=-1)  # (B, nh, T, T)
        att = F.dropout(att, self.attention_dropout, self.training)
        return self.out((att @ v).transpose(1, 2).reshape(B, T, heads * hs))  # heads side by side again


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
        self.dropout, self.d, self.depth = model["dropout"], d, model["layers"]

    def forward(self, tokens):  # (B, T) -> logits (B, T, vocab)
        return self.run(tokens, 0, self.depth)

    def run(self, x, begin, end):
        """Blocks begin to end-1: the first with the embeddings before it, the last with the final norm and head after."""
        if begin == 0:
            T = x.shape[1]
            x = self.token_embedding(x)
            if self.position == "learned":
                x = x + self.position_embedding.weight[:T]
            elif self.position == "sinusoidal":
                x = x + sinusoidal_positions(T, x.shape[-1], x.device)
            x = F.dropout(x, self.dropout, self.training)
        for block in self.blocks[begin:end]:
            x = block(x)
        if end < self.depth:
            return x
        if hasattr(self, "ln_f"):
            x = self.ln_f(x)
        return x @ self.token_embedding.weight.T if self.tied else self.head(x)

    def stage_modules(self, begin, end):  # a tied head reads the token embedding: the last stage holds it too
        first = [self.token_embedding, getattr(self, "position_embedding", None)] if begin == 0 else []
        last = [getattr(self, "ln_f", None), self.token_embedding if self.tied else self.head] if end == self.depth else []
        return [m for m in first + list(self.blocks[begin:end]) + last if m is not None]

    def boundary(self, x, i):  # the shape of what enters block i, for tokens x
        return (*x.shape, self.d)


def build_model(model, data):
    return Transformer(model, data["vocab"], data["length"])
