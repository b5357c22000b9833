

class LSTMLayer(nn.Module):
    """nn.LSTM's equations and gate order (i, f, g, o), but with ONE bias where nn.LSTM has two
    (b_ih + b_hh: the same function, one vector fewer), and weights stored [inputs, 4·units]."""

    def __init__(self, inputs, units):
        super().__init__()
        self.weight_x = nn.Parameter(torch.empty(inputs, 4 * units))
        self.weight_h = nn.Parameter(torch.empty(units, 4 * units))
        self.bias = nn.Parameter(torch.empty(4 * units))

    def forward(self, x):  # (B, T, inputs) -> (B, T, units)
        B, T, _ = x.shape
        units = self.weight_h.shape[0]
        projected = x @ self.weight_x + self.bias  # every step's input projection at once: (B, T, 4·units)
        h = c = x.new_zeros(B, units)
        outputs = []
        for t in range(T):
            i, f, g, o = (projected[:, t] + h @ self.weight_h).chunk(4, dim=1)
            c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
            h = torch.sigmoid(o) * torch.tanh(c)
            outputs.append(h)
        return torch.stack(outputs, dim=1)
