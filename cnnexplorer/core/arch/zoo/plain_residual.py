"""A plain network and a residual network that differ only by their shortcuts.

The notes' claim: as a plain network gets deeper its training error first falls, then rises,
because it gets harder to optimize; with residual blocks the training error keeps falling.
To let a user see it, both entries stack the same `depth` blocks of two 3x3 same convs
(CONV -> BN -> ReLU -> CONV -> BN -> ReLU) at a constant width; the residual one adds the
block's input before the second ReLU (a[l+2] = g(z[l+2] + a[l])). Add has no weights, so the
two have exactly the same parameters and MACs, and the comparison is fair.
"""

from __future__ import annotations

from cnnexplorer.core.arch.graph import NetworkBuilder
from cnnexplorer.core.arch.zoo.registry import ArchConfig, ZooEntry, register
from cnnexplorer.core.setting import Setting


def _conv_unit(b: NetworkBuilder, x: str, width: int, name: str, bn: bool,
               strides: int = 1) -> str:
    x = b.conv2d(x, width, 3, strides=strides, padding="same", name=f"{name}_conv")
    return b.batch_norm(x, name=f"{name}_bn") if bn else x


def _stack(cfg: ArchConfig, residual: bool):
    width, bn = cfg["width"], cfg["batch_norm"]
    b = NetworkBuilder("ResidualNet" if residual else "PlainNet")
    x = b.input(cfg.input_shape, name="input")
    with b.block("stem"):
        x = _conv_unit(b, x, width, "stem", bn, strides=cfg["stem_stride"])
        x = b.activation(x, "relu", name="stem_relu")
        x = b.max_pool(x, 2, name="stem_pool")
    for i in range(1, cfg["depth"] + 1):
        with b.block(f"block{i}"):
            shortcut = x
            y = _conv_unit(b, x, width, f"block{i}_a", bn)
            y = b.activation(y, "relu", name=f"block{i}_a_relu")
            y = _conv_unit(b, y, width, f"block{i}_b", bn)
            if residual:
                y = b.add_([y, shortcut], name=f"block{i}_add")
            x = b.activation(y, "relu", name=f"block{i}_b_relu")
    with b.block("head"):
        x = b.global_avg_pool(x, name="avg_pool")
        x = b.classifier(x, cfg.classes, name=f"fc{cfg.classes}")
    return b.build(x)


def plain_net(cfg: ArchConfig):
    return _stack(cfg, residual=False)


def residual_net(cfg: ArchConfig):
    return _stack(cfg, residual=True)


_OPTIONS = (
    # The defaults are the plain vs residual preset's (core/train/recommended.py): deep
    # enough that the plain network trains visibly worse, small enough for a 2-core CPU.
    Setting("depth", "Blocks of two 3x3 convs", 20, minimum=1, maximum=200,
            help="weight layers = 2 x depth + 2"),
    Setting("width", "Channels", 16, minimum=1, maximum=1024),
    # As ResNet's stem (7x7 stride 2, then a pool) shrinks 224 to 56 before the blocks, a
    # stride-2 stem conv and the pool take 64x64 photos to 16x16: the blocks then cost a
    # quarter of their MACs at 32x32, which is what lets the residual network learn within
    # the preset's five minutes on a 2-core CPU (docs/training.md).
    Setting("stem_stride", "Stem stride", 2, minimum=1, maximum=4,
            help="stride of the first conv: 2 works on a quarter of the pixels"),
    Setting("batch_norm", "Batch normalization", True, kind="bool",
            help="off makes the deep plain network even harder to train"),
)

register(ZooEntry(
    key="plain_net", title="Plain network (no shortcuts)", family="Plain vs residual",
    description=(
        "A plain deep network: blocks of CONV -> BN -> ReLU -> CONV -> BN -> ReLU stacked "
        "without shortcuts. In theory deeper should mean lower training error; in practice, "
        "with a plain network, the training error falls and then rises again as layers are "
        "added, because deep plain networks are hard to optimize (vanishing and exploding "
        "gradients). Train it beside residual_net at the same depth to see it."),
    default_input=(64, 64, 3), default_classes=6, build=plain_net, options=_OPTIONS,
    aliases=("plain",),
))

register(ZooEntry(
    key="residual_net", title="Residual network (same depth)", family="Plain vs residual",
    description=(
        "The same blocks as plain_net, each with a shortcut: a[l] skips ahead and is added "
        "before the last ReLU, a[l+2] = g(z[l+2] + a[l]). A residual block can easily learn "
        "the identity (weights decayed to 0 give a[l+2] = a[l]), so adding blocks does not "
        "hurt, and the training error keeps falling as the network gets deeper. Same "
        "parameters and MACs as plain_net."),
    default_input=(64, 64, 3), default_classes=6, build=residual_net, options=_OPTIONS,
    aliases=("residual",),
))
