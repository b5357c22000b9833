


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
        self.sizes, self.depth = sizes, len(self.dropouts) + 1  # a pipeline's units: the layers, then the head

    def forward(self, x):  # tokens (B, T) -> logits (B, T, vocab); a series (B, T) -> forecast (B, 1, 1)
        return self.run(x, 0, self.depth)

    def run(self, h, begin, end):
        """Units begin to end-1 (the layers, then the head), the embedding before the first."""
        if begin == 0:
            h = self.embedding(h) if self.embedding is not None else h.unsqueeze(-1)
        for layer, p in list(zip(getattr(self, self.cell), self.dropouts))[begin:end]:
            h = F.dropout(layer(h), p, self.training)
        if end < self.depth:
            return h
        if self.embedding is None:
            return self.head(h[:, -1]).view(-1, 1, 1)  # the next value, from the last step's state
        return self.head(h)

    def stage_modules(self, begin, end):
        first = [self.embedding] if begin == 0 and self.embedding is not None else []
        return first + list(getattr(self, self.cell)[begin:end]) + ([self.head] if end == self.depth else [])

    def boundary(self, x, i):  # the shape of what enters layer i, for inputs x
        return (*x.shape, self.sizes[i])


def build_model(model, data):
    return RecurrentModel(model, data["vocab"])
