"""Look inside a door model: Grad-CAM heatmaps and the feature maps of any conv layer.

Grad-CAM (Selvaraju et al. 2017): the gradient of the class score with respect to a conv
layer's activations, averaged over space, weights that layer's channels; the ReLU of the
weighted sum is a coarse map of where the evidence for the class lies. For a binary door the
"class score" is the happy log-odds (the logit before the sigmoid), and to explain a closed
door its negative: the same gradient with the sign flipped.

No Qt here. TensorFlow is imported inside functions; the sub-models are built once per layer
and cached on the `Inspector`.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Callable

import numpy as np
from PIL import Image

from cnnexplorer.core.errors import ConfigError, ModelFileError
from cnnexplorer.core.door.inference import DoorModel, decide, preprocess
from cnnexplorer.core.door.threshold import DEFAULT_THRESHOLD
from cnnexplorer.core.keras.conv_at_work import ConvProbe, conv_tensors


@dataclass(frozen=True)
class LayerInfo:
    name: str
    kind: str  # the Keras class name, e.g. "Conv2D"
    shape: tuple[int, int, int]  # (H, W, C) of its output

    @property
    def is_conv(self) -> bool:
        return "Conv" in self.kind


def spatial_layers(model) -> list[LayerInfo]:
    """Layers with an (H, W, C) output, input layers excluded, in model order."""
    out = []
    for layer in model.layers:
        if type(layer).__name__ == "InputLayer":
            continue
        try:
            shape = tuple(layer.output.shape)
        except (AttributeError, ValueError):
            continue  # a layer used several times or not connected: no single output
        if len(shape) == 4 and all(isinstance(d, int) for d in shape[1:]):
            out.append(LayerInfo(layer.name, type(layer).__name__, tuple(shape[1:])))
    return out


def default_cam_layer(model) -> str:
    """The last spatial layer of the last conv unit: where Grad-CAM is usually read.

    The last Conv2D, or the activation/normalisation right after it when present (the map
    after ReLU is what the head sees); pooling after it is skipped for resolution.
    """
    layers = spatial_layers(model)
    conv_idx = [i for i, info in enumerate(layers) if info.is_conv]
    if not conv_idx:
        raise ConfigError("the model has no convolutional layer to explain")
    i = conv_idx[-1]
    while i + 1 < len(layers) and layers[i + 1].kind in (
            "BatchNormalization", "Activation", "ReLU", "LeakyReLU"):
        i += 1
    return layers[i].name


def _turbo_lut() -> np.ndarray:
    """A 256-entry colour map from dark blue through green to red (Turbo-like, polynomial)."""
    x = np.linspace(0.0, 1.0, 256)
    # Anton Mikhailov's polynomial fit of Google's Turbo colour map.
    r = (0.13572138 + x * (4.61539260 + x * (-42.66032258 + x * (132.13108234 + x * (
        -152.94239396 + x * 59.28637943)))))
    g = (0.09140261 + x * (2.19418839 + x * (4.84296658 + x * (-14.18503333 + x * (
        4.27729857 + x * 2.82956604)))))
    b = (0.10667330 + x * (12.64194608 + x * (-60.58204836 + x * (110.36276771 + x * (
        -89.90310912 + x * 27.34824973)))))
    return (np.clip(np.stack([r, g, b], axis=1), 0, 1) * 255).astype(np.uint8)


TURBO = _turbo_lut()


def colorize(heatmap: np.ndarray) -> np.ndarray:
    """A [0, 1] float map -> uint8 RGB through the Turbo colour map."""
    idx = np.clip(np.rint(np.nan_to_num(heatmap) * 255), 0, 255).astype(np.uint8)
    return TURBO[idx]


def smooth(heatmap: np.ndarray, sigma: float) -> np.ndarray:
    """Gaussian blur (separable, edges repeated), renormalised to a peak of 1."""
    heat = np.nan_to_num(np.asarray(heatmap, np.float32))
    if sigma < 0.5:
        return heat
    r = int(np.ceil(3 * sigma))
    k = np.exp(-0.5 * (np.arange(-r, r + 1) / sigma) ** 2).astype(np.float32)
    k /= k.sum()
    padded = np.pad(heat, r, mode="edge")
    rows = np.stack([np.convolve(line, k, mode="valid") for line in padded])
    out = np.stack([np.convolve(line, k, mode="valid") for line in rows.T]).T
    peak = float(out.max())
    return out / peak if peak > 0 else np.zeros_like(out)


def overlay(image: np.ndarray, heatmap: np.ndarray, alpha: float = 0.6) -> np.ndarray:
    """Blend a [0, 1] heatmap (any size) over a uint8 RGB image of its own size.

    A high-resolution map (HappyModel's only conv layer is 64x64) is blurred a little first
    (sigma = 1/32 of its side), as the usual coarse Grad-CAM map is by upsampling; the heat
    weighs its own opacity (heat ** 1.5), so cold regions leave the picture as it is.
    """
    if image.ndim == 2:
        image = image[:, :, None]
    if image.shape[2] == 1:
        image = np.repeat(image, 3, axis=2)
    image = image[:, :, :3]
    h, w = image.shape[:2]
    heat = smooth(heatmap, max(heatmap.shape) / 32.0)
    heat = np.asarray(Image.fromarray(heat, mode="F").resize(
        (w, h), Image.Resampling.BILINEAR), dtype=np.float32)
    heat = np.clip(heat, 0.0, 1.0)
    colour = colorize(heat).astype(np.float32)
    a = (alpha * heat ** 1.5)[:, :, None]
    return np.clip(image.astype(np.float32) * (1 - a) + colour * a, 0, 255).astype(np.uint8)


@dataclass(frozen=True)
class GradCam:
    heatmap: np.ndarray  # float32 (h, w) in [0, 1] at the layer's resolution
    layer: str
    probability: float  # happy probability of the image
    target: str  # "happy" or "not happy": which decision the map explains
    method: str = "gradcam"
    contributions: np.ndarray | None = None  # (h, w) signed sum_k A*dz/dA, before ReLU


#: the heatmap methods `Inspector.gradcam` offers, with what the GUI calls them
METHODS = {
    "hirescam": "HiResCAM (Grad-CAM without averaging)",
    "gradcam": "Grad-CAM (channel weights averaged)",
}


@dataclass
class LayerMaps:
    """What "Look inside" shows of one layer for one frame."""

    maps: np.ndarray  # float32 (H, W, C) activations
    probe: ConvProbe | None = None  # a Conv2D layer: any of its values, worked out
    note: str = ""  # why a Conv2D layer has no probe (grouped, an activation not named)


class Inspector:
    """Grad-CAM and feature maps for one DoorModel (sub-models cached per layer)."""

    def __init__(self, door: DoorModel):
        self.door = door
        self.model = door.model
        self.layers = spatial_layers(self.model)
        self._cam_fns: dict[str, object] = {}
        # layer -> (its cached model call, the Conv2D layer probed or None, why not)
        self._map_fns: dict[str, tuple[Callable, object, str]] = {}
        self._lock = threading.Lock()

    def _layer(self, name: str):
        for info in self.layers:
            if info.name == name:
                return self.model.get_layer(name)
        known = ", ".join(i.name for i in self.layers) or "none"
        raise ConfigError(f"layer {name!r} has no spatial output to show; layers: {known}")

    def _cam_fn(self, name: str):
        with self._lock:
            fn = self._cam_fns.get(name)
            if fn is None:
                import keras
                import tensorflow as tf

                layer = self._layer(name)
                last = self.model.layers[-1]
                door = self.door
                spec = tf.TensorSpec((None, *door.input_shape), tf.float32)
                # Differentiate the log-odds, not the probability: a confident sigmoid
                # (p ~ 1 in float32) has a vanishing gradient, its logit does not.
                if type(last).__name__ == "Dense":
                    sub = keras.Model(self.model.inputs, [layer.output, last.input])
                    kernel, bias = last.kernel, last.bias

                    def logits_of(h):
                        z = tf.matmul(h, kernel)
                        return z + bias if bias is not None else z
                else:
                    sub = keras.Model(self.model.inputs,
                                      [layer.output, self.model.outputs[0]])
                    kind = door.output_kind

                    def logits_of(out):
                        if kind == "sigmoid":
                            p = tf.clip_by_value(out, 1e-7, 1 - 1e-7)
                            return tf.math.log(p) - tf.math.log(1 - p)
                        if kind == "softmax":
                            return tf.math.log(tf.clip_by_value(out, 1e-7, 1.0))
                        return out

                def cam(x):
                    with tf.GradientTape() as tape:
                        fmap, pre = sub(x, training=False)
                        tape.watch(fmap)
                        z = logits_of(pre)
                        score = z[:, 0] if z.shape[-1] == 1 else z[:, 1] - z[:, 0]
                    grads = tape.gradient(score, fmap)
                    return fmap, grads, score

                # Traced once into a concrete function: a fresh tf.function per layer from
                # the same code counts, for TensorFlow, as one function retracing (the
                # "triggered tf.function retracing" warning after five layers); concrete
                # functions are not counted, and the cache keeps each layer's for good.
                fn = tf.function(cam).get_concrete_function(spec)
                self._cam_fns[name] = fn
            return fn

    def gradcam(self, image: np.ndarray, layer: str | None = None,
                target: str = "decision", threshold: float = DEFAULT_THRESHOLD,
                method: str = "gradcam") -> GradCam:
        """Grad-CAM (or HiResCAM) of one uint8 frame.

        Args:
            layer: a spatial layer's name; None: `default_cam_layer`.
            target: "happy", "not happy", or "decision" (whichever the threshold picks).
            method: "gradcam" weighs each channel by its gradient averaged over space
                (Selvaraju et al. 2017); "hirescam" multiplies activations and gradients
                position by position before summing channels (Draelos & Carin 2020). For a
                Flatten -> Dense head, as HappyModel's, HiResCAM's signed map sums exactly
                to the log-odds minus the bias: it shows where the decision was made, where
                Grad-CAM's averaging blurs the dense layer's per-position weights away.
        """
        if method not in METHODS:
            raise ConfigError(f"heatmap method must be one of {', '.join(METHODS)}; "
                              f"received {method!r}")
        name = layer or default_cam_layer(self.model)
        x = preprocess(image, self.door.input_shape)
        fmap, grads, score = self._cam_fn(name)(x)
        fmap, grads = fmap.numpy()[0], grads.numpy()[0]
        prob = float(1.0 / (1.0 + np.exp(-float(score.numpy()[0]))))
        if target == "decision":
            target = "happy" if decide(prob, threshold) == "open" else "not happy"
        if target not in ("happy", "not happy"):
            raise ConfigError(f"Grad-CAM target must be 'happy', 'not happy' or 'decision'; "
                              f"received {target!r}")
        if target == "not happy":
            grads = -grads
        if method == "gradcam":
            signed = (fmap * grads.mean(axis=(0, 1))).sum(axis=2)
        else:
            signed = (fmap * grads).sum(axis=2)
        cam = np.maximum(signed, 0.0)
        peak = float(cam.max())
        cam = cam / peak if peak > 0 else np.zeros_like(cam)
        return GradCam(cam.astype(np.float32), name, prob, target, method,
                       signed.astype(np.float32))

    def feature_maps(self, image: np.ndarray, layer: str) -> np.ndarray:
        """The float32 (H, W, C) activations of `layer` for one uint8 frame."""
        return self.layer_maps(image, layer).maps

    def layer_maps(self, image: np.ndarray, layer: str) -> LayerMaps:
        """The activations of `layer` for one uint8 frame and, for a Conv2D layer, a probe
        that works out any of its values (its input comes from the same model call as the
        maps, so the probe costs the frame only a copy of the layer's weights)."""
        fn, conv, note = self._maps_fn(layer)
        out = fn(preprocess(image, self.door.input_shape))
        if conv is None:
            return LayerMaps(out.numpy()[0], None, note)
        x_in, maps = (t.numpy()[0] for t in out)
        return LayerMaps(maps, ConvProbe(conv, x_in, maps))

    def _maps_fn(self, name: str) -> tuple[Callable, object, str]:
        with self._lock:
            entry = self._map_fns.get(name)
            if entry is None:
                import keras
                import tensorflow as tf

                layer = self._layer(name)
                conv, note, outputs = None, "", layer.output  # a Conv2D: [input, output]
                if type(layer).__name__ == "Conv2D":
                    try:
                        conv, outputs = conv_tensors(self.model, name)
                    except ModelFileError as exc:  # grouped, or an activation it cannot name
                        note = str(exc)
                sub = keras.Model(self.model.inputs, outputs)
                spec = tf.TensorSpec((None, *self.door.input_shape), tf.float32)
                # a concrete function, as _cam_fn's: no retracing warning, one trace a layer
                fn = tf.function(lambda x: sub(x, training=False)).get_concrete_function(spec)
                entry = self._map_fns[name] = (fn, conv, note)
        return entry


def _grid_cells(channels: int, columns: int | None, limit: int) -> tuple[int, int]:
    """(channels tiled, columns) of a feature grid: the first `limit` channels, in a
    near-square of columns unless given (feature_grid draws it, grid_position reads it)."""
    n = min(channels, limit)
    return n, columns or int(np.ceil(np.sqrt(n)))


def feature_grid(maps: np.ndarray, columns: int | None = None, pad: int = 1,
                 limit: int = 64, fill: float = 0.0) -> np.ndarray:
    """Tile the first `limit` channels of (H, W, C) maps into one [0, 1] float image.

    Each channel is scaled on its own (a channel's pattern matters, not its magnitude);
    a constant channel shows as black. Padding and unused cells get `fill` (NaN draws as
    transparent in pyqtgraph).
    """
    h, w, c = maps.shape
    n, columns = _grid_cells(c, columns, limit)
    rows = int(np.ceil(n / columns))
    grid = np.full((rows * (h + pad) - pad, columns * (w + pad) - pad), fill, np.float32)
    for k in range(n):
        ch = maps[:, :, k]
        lo, hi = float(ch.min()), float(ch.max())
        tile = (ch - lo) / (hi - lo) if hi > lo else np.zeros_like(ch)
        r, col = divmod(k, columns)
        grid[r * (h + pad):r * (h + pad) + h, col * (w + pad):col * (w + pad) + w] = tile
    return grid


def grid_position(shape: tuple[int, int, int], x: int, y: int, columns: int | None = None,
                  pad: int = 1, limit: int = 64) -> tuple[int, int, int] | None:
    """Where pixel (x = column, y = row) of `feature_grid(maps)` comes from, for maps of
    `shape` (H, W, C): (row, col, channel), or None on padding or an unused cell."""
    h, w, c = shape
    n, columns = _grid_cells(c, columns, limit)
    if x < 0 or y < 0:
        return None
    (cell_r, row), (cell_c, col) = divmod(y, h + pad), divmod(x, w + pad)
    channel = cell_r * columns + cell_c
    if row >= h or col >= w or cell_c >= columns or channel >= n:
        return None
    return row, col, channel
