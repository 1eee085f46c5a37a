"""keras.applications architectures, built with weights=None and imported into the spec.

These are not hand-written specs: each entry builds the real Keras model (never downloading
weights) and walks it with the same importer that opens a user's `.keras` file, so their
tables, costs and diagrams come from exactly the path a user's model takes.

That import is done ahead of time for the default configuration (and the MobileNets' other
widths): `python -m cnnexplorer.tools.make_app_specs` writes each imported spec to
`resources/app_specs/`, and a configuration found there loads from that file in milliseconds,
without TensorFlow. Any other configuration builds the Keras model (seconds, the first time).
Either way each spec is cached per configuration, so choosing an entry again is instant.
"""

from __future__ import annotations

import functools
import os

from cnnexplorer.paths import resource
from cnnexplorer.core.errors import ConfigError
from cnnexplorer.core.arch.graph import Network
from cnnexplorer.core.arch.zoo.registry import ArchConfig, ZooEntry, register
from cnnexplorer.core.setting import Setting
from cnnexplorer.core.formatting import shape_text

FAMILY = "Keras applications"

_ALPHA = Setting("alpha", "Width multiplier (alpha)", 1.0, kind="choice",
                 choices=(0.25, 0.5, 0.75, 1.0),
                 help="Scales every layer's channels; the MobileNet papers' width multiplier.")
_ALPHA_V2 = Setting("alpha", "Width multiplier (alpha)", 1.0, kind="choice",
                    choices=(0.35, 0.5, 0.75, 1.0, 1.3, 1.4), help=_ALPHA.help)


SPEC_DIR = "app_specs"  # under resources/


def spec_file_name(key: str, cfg: ArchConfig) -> str:
    """`mobilenet.json.gz` at the defaults, `mobilenet-alpha=0.5.json.gz` otherwise: only what
    differs from the entry's defaults is named, in a fixed order."""
    from cnnexplorer.core.arch.zoo.registry import get

    entry = get(key)
    parts = [entry.key]
    if tuple(cfg.input_shape) != tuple(entry.default_input):
        parts.append("input=" + shape_text(cfg.input_shape))
    if cfg.classes != entry.default_classes:
        parts.append(f"classes={cfg.classes}")
    defaults = {o.key: o.default for o in entry.options}
    parts += [f"{k}={v}" for k, v in sorted(cfg.options.items()) if defaults.get(k) != v]
    return "-".join(parts) + ".json.gz"


@functools.lru_cache(maxsize=1)
def _shipped_names() -> frozenset[str]:
    """The shipped spec files, listed once per process (a lookup is then a set test)."""
    try:
        return frozenset(os.listdir(resource(SPEC_DIR)))
    except OSError:
        return frozenset()


def shipped_spec(entry: ZooEntry, cfg: ArchConfig):
    """The path of the shipped spec for exactly this configuration, or None."""
    if entry.family != FAMILY:
        return None
    name = spec_file_name(entry.key, cfg)
    return resource(SPEC_DIR) / name if name in _shipped_names() else None


def _without_shipped_spec(key: str):
    """The entry's `keras_build_needed`: no shipped spec for this configuration."""
    def check(cfg: ArchConfig) -> bool:
        return spec_file_name(key, cfg) not in _shipped_names()
    return check


@functools.lru_cache(maxsize=32)
def _imported(app: str, input_shape: tuple[int, int, int], classes: int,
              options: tuple[tuple[str, object], ...], shipped: str | None = None) -> Network:
    if shipped is not None:
        from cnnexplorer.core.arch.spec_io import load_spec

        network = load_spec(shipped)
        if tuple(network.input_shape) != input_shape or \
                network.output_shapes[0][-1] != classes:
            raise ConfigError(f"{shipped}: holds input {network.input_shape} and "
                              f"{network.output_shapes[0][-1]} classes, not {input_shape} and "
                              f"{classes}: regenerate with python -m "
                              f"cnnexplorer.tools.make_app_specs")
        return network
    return import_from_keras(app, input_shape, classes, options)


def import_from_keras(app: str, input_shape: tuple[int, int, int], classes: int,
                      options: tuple[tuple[str, object], ...]) -> Network:
    """Build keras.applications.<app>(weights=None, ...) and import it (imports Keras)."""
    from cnnexplorer.core.keras.build import import_keras
    from cnnexplorer.core.keras.importer import network_from_keras

    keras = import_keras()
    # One class means a binary task: one sigmoid unit. Keras' default head is a softmax, and
    # a softmax over one unit answers 1.0 whatever the image (and never learns).
    head = "sigmoid" if classes == 1 else "softmax"
    try:
        model = getattr(keras.applications, app)(
            weights=None, input_shape=input_shape, classes=classes,
            classifier_activation=head, **dict(options))
    except ValueError as exc:  # Keras validates input sizes and options itself
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ConfigError(f"keras.applications.{app} rejects input {input_shape!r}, "
                          f"classes={classes}: {first}") from None
    try:
        return network_from_keras(model, name=app)
    finally:
        del model


def _builder(key: str, app: str):
    def build(cfg: ArchConfig) -> Network:
        from cnnexplorer.core.arch.zoo.registry import get

        path = shipped_spec(get(key), cfg)
        return _imported(app, tuple(cfg.input_shape), cfg.classes,
                         tuple(sorted(cfg.options.items())),
                         None if path is None else str(path))
    build.__name__ = f"build_{app.lower()}"
    return build


#: key, Keras class, title, default input, options, description
_APPS = (
    ("mobilenet", "MobileNet", "MobileNet (v1)", (224, 224, 3), (_ALPHA,),
     "Howard et al. 2017: every 3x3 convolution is split into a depthwise 3x3 (one filter per "
     "channel) and a pointwise 1x1 that mixes channels, the 1x1 convolution of the notes put "
     "to work. About 569 M MACs at 224x224, against 15.5 G for VGG-16."),
    ("mobilenetv2", "MobileNetV2", "MobileNetV2", (224, 224, 3), (_ALPHA_V2,),
     "Sandler et al. 2018: inverted residual blocks, a 1x1 expansion, a depthwise 3x3 and a "
     "linear 1x1 bottleneck, with a ResNet shortcut between the narrow ends. About 300 M MACs."),
    ("inceptionv3", "InceptionV3", "Inception v3", (299, 299, 3), (),
     "Szegedy et al. 2015: GoogLeNet's Inception modules refined, 5x5 convolutions factored "
     "into two 3x3s and n x n into 1 x n then n x 1, batch norm throughout. About 5.7 G MACs "
     "at 299x299."),
    ("resnet50v2", "ResNet50V2", "ResNet-50 v2 (pre-activation)", (224, 224, 3), (),
     "He et al. 2016, Identity Mappings: the course's ResNet-50 with BN and ReLU moved before "
     "each convolution, so the shortcut path stays a pure identity."),
    ("densenet121", "DenseNet121", "DenseNet-121", (224, 224, 3), (),
     "Huang et al. 2017: inside a dense block every layer receives the concatenation of all "
     "earlier outputs: skip connections taken to the limit, with few channels per layer."),
    ("efficientnetb0", "EfficientNetB0", "EfficientNet-B0", (224, 224, 3), (),
     "Tan & Le 2019: MobileNetV2 blocks with squeeze-and-excitation (a global pool, two 1x1 "
     "convs and a channel-wise Multiply), found by search and scaled in depth, width and "
     "resolution together. Includes its own Rescaling and Normalization input layers."),
    ("xception", "Xception", "Xception", (299, 299, 3), (),
     "Chollet 2017: Inception taken to the extreme: depthwise-separable convolutions in "
     "residual blocks."),
)

for _key, _app, _title, _shape, _options, _description in _APPS:
    register(ZooEntry(
        key=_key, title=_title, family=FAMILY, description=_description,
        default_input=_shape, default_classes=1000, build=_builder(_key, _app), options=_options,
        keras_build_needed=_without_shipped_spec(_key),
        aliases=tuple(dict.fromkeys(a for a in (_app.lower().replace("v", "_v"),
                                                f"keras.{_app.lower()}") if a != _key))))
