

class MLP(nn.Module):
    """Dense layers, each with its activation and dropout (and, if chosen, LayerNorm or BatchNorm before the activation
    and a residual connection where a hidden layer is as wide as the one before it), then a linear output layer."""

    def __init__(self, model, inputs, outputs):
        super().__init__()
        hidden = model["hidden"]
        sizes = [inputs] + [layer["units"] for layer in hidden] + [outputs]
        # Before BatchNorm a layer has no bias: BatchNorm's own takes its place.
        biases = [model["norm"] != "batchNorm"] * len(hidden) + [True]
        self.layers = nn.ModuleList(Dense(a, b, bias) for a, b, bias in zip(sizes, sizes[1:], biases))
        norm = {"layerNorm": nn.LayerNorm, "batchNorm": nn.BatchNorm1d}.get(model["norm"])
        if norm:
            for layer, width in zip(self.layers[: len(hidden)], sizes[1:]):
                layer.norm = norm(width)  # named layers.{i}.norm, as the app names it
        self.activations = [layer["activation"] for layer in hidden] + ["linear"]
        self.dropouts = [layer["dropout"] for layer in hidden] + [0.0]
        self.residual = [model["residual"] and 0 < i < len(hidden) and sizes[i] == sizes[i + 1] for i in range(len(sizes) - 1)]
        self.sizes, self.depth = sizes, len(self.layers)

    def forward(self, x):  # (B, inputs) -> (B, outputs)
        return self.run(x, 0, self.depth)

    def run(self, x, begin, end):
        """Layers begin to end-1, each with its norm, activation, dropout and residual connection (a pipeline stage's)."""
        for i in range(begin, end):
            layer = self.layers[i]
            h = layer(x)
            if hasattr(layer, "norm"):
                h = layer.norm(h)
            h = F.dropout(ACTIVATIONS[self.activations[i]](h), self.dropouts[i], self.training)
            x = h + layer.skip(x) if self.residual[i] else h
        return x

    def stage_modules(self, begin, end):
        return list(self.layers[begin:end])

    def boundary(self, x, i):  # the shape of what enters layer i, for inputs x
        return (len(x), self.sizes[i])


def build_model(model, data):
    return MLP(model, data["inputs"], data["outputs"])
