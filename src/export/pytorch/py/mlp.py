

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

    def forward(self, x):  # (B, inputs) -> (B, outputs)
        for layer, activation, p, residual in zip(self.layers, self.activations, self.dropouts, self.residual):
            h = layer(x)
            if hasattr(layer, "norm"):
                h = layer.norm(h)
            h = F.dropout(ACTIVATIONS[activation](h), p, self.training)
            x = h + x if residual else h
        return x


def build_model(model, data):
    return MLP(model, data["inputs"], data["outputs"])
