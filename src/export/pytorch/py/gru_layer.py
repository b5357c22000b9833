

class GRULayer(nn.Module):
    """nn.GRU's equations, gate order (r, z, n) and two biases, with weights stored [inputs, 3·units]."""

    def __init__(self, inputs, units):
        super().__init__()
        self.weight_x = nn.Parameter(torch.empty(inputs, 3 * units))
        self.weight_h = nn.Parameter(torch.empty(units, 3 * units))
        self.bias_x = nn.Parameter(torch.empty(3 * units))
        self.bias_h = nn.Parameter(torch.empty(3 * units))

    def forward(self, x):  # (B, T, inputs) -> (B, T, units)
        B, T, _ = x.shape
        units = self.weight_h.shape[0]
        projected = x @ self.weight_x + self.bias_x  # every step's input projection at once
        h = x.new_zeros(B, units)
        outputs = []
        for t in range(T):
            xr, xz, xn = projected[:, t].chunk(3, dim=1)
            hr, hz, hn = (h @ self.weight_h + self.bias_h).chunk(3, dim=1)
            r, z = torch.sigmoid(xr + hr), torch.sigmoid(xz + hz)
            n = torch.tanh(xn + r * hn)
            h = (1 - z) * n + z * h
            outputs.append(h)
        return torch.stack(outputs, dim=1)
