"""A convolution at work: how one value of a conv layer's feature map is computed.

For a trained model, an image, a Conv2D layer and a position (row, column, filter) of that
layer's output, `conv_at_work` gives what the notes' convolution slides show: the patch of the
layer's input under the filter (zeros where it hangs over the padding), the filter's weights
for every input channel, the sum of patch x weights per channel, the bias, their total, and
the activation applied to it. It also reads the model's own output at that position, so a view
(and the tests) can show that the hand sum is the value the network computed.

Keras' padding rule: "same" pads (n_out - 1) * s + f_eff - n_in in total, the smaller half
before (top/left), the larger after (bottom/right).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from cnnexplorer.core.errors import ModelFileError

#: activations applied inside a Conv2D layer that the working can show by name
_ACTIVATIONS: dict[str, Callable[[float], float]] = {
    "linear": lambda v: v,
    "relu": lambda v: max(v, 0.0),
    "sigmoid": lambda v: 1.0 / (1.0 + np.exp(-v)),
    "tanh": np.tanh,
}


@dataclass
class ConvAtWork:
    """One output value of a conv layer, worked out."""

    layer: str
    row: int
    col: int
    channel: int
    patch: np.ndarray  # (f_h, f_w, C_in): the layer's input under the filter, 0 on padding
    padded: np.ndarray  # (f_h, f_w) bool: the taps that fall on padding
    kernel: np.ndarray  # (f_h, f_w, C_in): the filter's weights
    per_channel: np.ndarray  # (C_in,): sum over the window of patch * kernel, per channel
    bias: float
    activation: str
    model_value: float  # the layer's output at (row, col, channel), as the model computed it

    @property
    def pre_activation(self) -> float:
        """z = sum of patch * weights + b."""
        return float(self.per_channel.sum() + self.bias)

    @property
    def value(self) -> float:
        """a = g(z): the hand-worked value, which equals `model_value`."""
        return float(_ACTIVATIONS[self.activation](self.pre_activation))

    def summary(self) -> str:
        """One line: 'z = sum(patch * W) + b = 1.234 + 0.056 = 1.290; relu(z) = 1.290'."""
        s = (f"z = sum(patch * W) + b = {self.per_channel.sum():.4f} + {self.bias:.4f} = "
             f"{self.pre_activation:.4f}")
        if self.activation != "linear":
            s += f"; {self.activation}(z) = {self.value:.4f}"
        return s


def _input_offsets(n_in: int, n_out: int, f: int, s: int, d: int, padding: str) -> int:
    """Padding before the first row/column (Keras/TensorFlow rule)."""
    if padding != "same":
        return 0
    total = max((n_out - 1) * s + d * (f - 1) + 1 - n_in, 0)
    return total // 2


def conv_layer(model, name: str):
    """The Conv2D layer `name` of `model` (ModelFileError naming the kinds it has)."""
    try:
        layer = model.get_layer(name)
    except ValueError:
        raise ModelFileError(f"{model.name}: no layer named {name!r}") from None
    if type(layer).__name__ != "Conv2D" or getattr(layer, "groups", 1) != 1:
        raise ModelFileError(f"{name} is a {type(layer).__name__}; the working is shown for "
                             f"Conv2D layers (without groups)")
    act = getattr(layer.activation, "__name__", "linear")
    if act not in _ACTIVATIONS:
        raise ModelFileError(f"{name}: its activation {act!r} is not one the working shows")
    return layer


def conv_tensors(model, name: str):
    """The Conv2D layer `name` and its input and output tensors, for a sub-model that returns
    both (ModelFileError when the layer is refused or has no single input, as a shared one)."""
    layer = conv_layer(model, name)
    try:
        return layer, [layer.input, layer.output]
    except (AttributeError, ValueError) as exc:  # Keras says why: a shared or uncalled layer
        raise ModelFileError(f"{name}: its input cannot be read ({exc})") from None


class ConvProbe:
    """One image through one Conv2D layer, kept: `at(row, col, channel)` then works out any
    position with numpy alone (a view calls it on every mouse move).

    Made from the layer and its input and output for the image (`ConvProbe(layer, x_in, y)`,
    when a caller already ran a sub-model of `conv_tensors`, as the door's Inspector does with
    the feature maps), or by `ConvProbe.run(model, image, name)`, which runs the model.
    """

    def __init__(self, layer, inputs: np.ndarray, outputs: np.ndarray):
        self.layer = layer
        self.name = layer.name
        self.inputs, self.outputs = np.asarray(inputs), np.asarray(outputs)
        weights = layer.get_weights()
        self.kernels = np.asarray(weights[0], np.float64)
        self.biases = (np.asarray(weights[1], np.float64) if layer.use_bias
                       else np.zeros(self.kernels.shape[-1]))
        self.activation = getattr(layer.activation, "__name__", "linear")

    @classmethod
    def run(cls, model, image: np.ndarray, name: str) -> "ConvProbe":
        """Run one preprocessed float image (h, w, c) through `model` up to Conv2D `name`."""
        import keras

        layer, tensors = conv_tensors(model, name)
        # `model.inputs`, not `model.input`: a Sequential never called has no `input` in
        # Keras 3 (AttributeError), though its `inputs` are defined (the door's grey model)
        probe = keras.Model(model.inputs, tensors)
        x_in, y = probe([image[None].astype(np.float32)], training=False)
        return cls(layer, np.asarray(x_in)[0], np.asarray(y)[0])

    @property
    def output_shape(self) -> tuple[int, int, int]:
        return tuple(self.outputs.shape)  # type: ignore[return-value]

    def at(self, row: int, col: int, channel: int) -> ConvAtWork:
        n_h, n_w, n_c = self.outputs.shape
        if not (0 <= row < n_h and 0 <= col < n_w and 0 <= channel < n_c):
            raise ModelFileError(f"{self.name}: position ({row}, {col}, {channel}) is outside "
                                 f"its {n_h}x{n_w}x{n_c} output")
        layer, x_in = self.layer, self.inputs
        (fh, fw), (sh, sw) = layer.kernel_size, layer.strides
        dh, dw = layer.dilation_rate
        top = _input_offsets(x_in.shape[0], n_h, fh, sh, dh, layer.padding)
        left = _input_offsets(x_in.shape[1], n_w, fw, sw, dw, layer.padding)
        rows = row * sh - top + dh * np.arange(fh)
        cols = col * sw - left + dw * np.arange(fw)
        inside_r = (rows >= 0) & (rows < x_in.shape[0])
        inside_c = (cols >= 0) & (cols < x_in.shape[1])
        patch = np.zeros((fh, fw, x_in.shape[2]), np.float64)
        rr, cc = np.meshgrid(np.flatnonzero(inside_r), np.flatnonzero(inside_c), indexing="ij")
        patch[rr, cc] = x_in[rows[rr], cols[cc]]
        kernel = self.kernels[:, :, :, channel]
        per_channel = (patch * kernel).sum(axis=(0, 1))
        padded = ~(inside_r[:, None] & inside_c[None, :])
        return ConvAtWork(self.name, row, col, channel, patch, padded, kernel, per_channel,
                          float(self.biases[channel]), self.activation,
                          float(self.outputs[row, col, channel]))


def conv_at_work(model, image: np.ndarray, name: str, row: int, col: int,
                 channel: int) -> ConvAtWork:
    """Work out output (row, col, channel) of Conv2D `name` for one preprocessed float image
    (h, w, c) as the model takes it (one position; `ConvProbe` for many).

    Raises:
        ModelFileError: no such layer, not a Conv2D, or a position outside its output.
    """
    return ConvProbe.run(model, image, name).at(row, col, channel)
