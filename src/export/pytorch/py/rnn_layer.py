

class RNNLayer(nn.Module):
    """nn.RNN with tanh, with ONE bias (b_ih + b_hh) and weights stored [inputs, units]."""

    def __init__(self, inputs, units):
        super().__init__()
        self.weight_x = nn.Parameter(torch.empty(inputs, units))
        self.weight_h = nn.Parameter(torch.empty(units, units))
        self.bias = nn.Parameter(torch.empty(units))

    def forward(self, x):  # (B, T, inputs) -> (B, T, units)
        B, T, _ = x.shape
        projected = x @ self.weight_x + self.bias
        h = x.new_zeros(B, self.weight_h.shape[0])
        outputs = []
        for t in range(T):
            h = torch.tanh(projected[:, t] + h @ self.weight_h)
            outputs.append(h)
        return torch.stack(outputs, dim=1)
