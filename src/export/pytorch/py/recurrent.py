


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

    def forward(self, x):  # tokens (B, T) -> logits (B, T, vocab); a series (B, T) -> forecast (B, 1, 1)
        h = self.embedding(x) if self.embedding is not None else x.unsqueeze(-1)
        for layer, p in zip(getattr(self, self.cell), self.dropouts):
            h = F.dropout(layer(h), p, self.training)
        if self.embedding is None:
            return self.head(h[:, -1]).view(-1, 1, 1)  # the next value, from the last step's state
        return self.head(h)


def build_model(model, data):
    return RecurrentModel(model, data["vocab"])
