

class Residual(nn.Module):
    """ResNet's basic block: two 3x3 convolutions with BatchNorm and a ReLU between, plus the input (through a 1x1
    convolution with BatchNorm where the size or the channels change), then a ReLU. No biases: BatchNorm has them."""

    def __init__(self, inputs, filters, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(inputs, filters, 3, stride, padding=1, bias=False)
        self.norm1 = nn.BatchNorm2d(filters)
        self.conv2 = nn.Conv2d(filters, filters, 3, 1, padding=1, bias=False)
        self.norm2 = nn.BatchNorm2d(filters)
        self.projection = None
        if stride != 1 or inputs != filters:
            self.projection = nn.Conv2d(inputs, filters, 1, stride, bias=False)
            self.projection_norm = nn.BatchNorm2d(filters)

    def forward(self, x):
        h = self.norm2(self.conv2(F.relu(self.norm1(self.conv1(x)))))
        skip = x if self.projection is None else self.projection_norm(self.projection(x))
        return F.relu(h + skip)


class CNN(nn.Module):
    """Convolution (each with BatchNorm if chosen, its activation and dropout), pooling and residual layers on images,
    then flatten or global average pooling, dense layers and a linear output layer. Rows of pixels arrive as the app
    keeps them, channels last; they are flattened back in that order, so the dense weights are the app's."""

    def __init__(self, model, image, outputs):
        super().__init__()
        self.image = image  # [height, width, channels]
        channels = image[2]
        self.conv = nn.ModuleList()
        for layer in model["layers"]:
            if layer["kind"] == "conv":
                k = layer["kernel"]
                padding = (k - 1) // 2 if layer["padding"] == "same" else 0
                conv = nn.Conv2d(channels, layer["filters"], k, layer["stride"], padding, bias=not layer["batchNorm"])
                if layer["batchNorm"]:
                    conv.norm = nn.BatchNorm2d(layer["filters"])  # named conv.{i}.norm, as the app names it
                channels = layer["filters"]
                self.conv.append(conv)
            elif layer["kind"] == "pool":
                pool = nn.MaxPool2d if layer["pool"] == "max" else nn.AvgPool2d
                self.conv.append(pool(layer["size"], layer["stride"]))
            else:
                self.conv.append(Residual(channels, layer["filters"], layer["stride"]))
                channels = layer["filters"]
        self.layers = model["layers"]
        self.head = model["head"]
        with torch.no_grad():  # the head's width, from an empty image's trip through the layers
            h, w, c = image
            last = self.features(torch.zeros(1, c, h, w))
        width = last.shape[1] if self.head == "globalAverage" else last.numel()
        sizes = [width] + [layer["units"] for layer in model["dense"]] + [outputs]
        self.dense = nn.ModuleList(Dense(a, b) for a, b in zip(sizes, sizes[1:]))
        self.activations = [layer["activation"] for layer in model["dense"]] + ["linear"]
        self.dropouts = [layer["dropout"] for layer in model["dense"]] + [0.0]

    def features(self, x):  # (B, C, H, W) -> the last feature maps
        for module, layer in zip(self.conv, self.layers):
            x = module(x)
            if layer["kind"] == "conv":
                if hasattr(module, "norm"):
                    x = module.norm(x)
                x = F.dropout(ACTIVATIONS[layer["activation"]](x), layer["dropout"], self.training)
        return x

    def forward(self, x):  # (B, height * width * channels) -> (B, outputs)
        h, w, c = self.image
        x = self.features(x.view(-1, h, w, c).permute(0, 3, 1, 2))
        x = x.mean((2, 3)) if self.head == "globalAverage" else x.permute(0, 2, 3, 1).flatten(1)
        for layer, activation, p in zip(self.dense, self.activations, self.dropouts):
            x = F.dropout(ACTIVATIONS[activation](layer(x)), p, self.training)
        return x


def build_model(model, data):
    return CNN(model, data["image"], data["outputs"])
