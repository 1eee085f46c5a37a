"""Inception: the notes' cost example, the full module, and GoogLeNet (Inception v1).

The cost example is the notes' 28x28x192 -> 28x28x32 5x5 convolution: 120,422,400
multiplications done directly, 12,443,648 through a 16-channel 1x1 bottleneck.
GoogLeNet follows Szegedy et al. 2014, Table 1, with the paper's auxiliary classifiers as an
option (avg pool 5x5/3, conv 1x1 128, FC 1024, dropout 0.7, softmax) and LRN off by default.
"""

from __future__ import annotations

from cnnexplorer.core.arch.blocks import inception_module
from cnnexplorer.core.arch.graph import NetworkBuilder
from cnnexplorer.core.arch.zoo.registry import ArchConfig, ZooEntry, register
from cnnexplorer.core.setting import Setting


def inception_5x5(cfg: ArchConfig):
    b = NetworkBuilder("Inception5x5")
    x = b.input(cfg.input_shape, name="input")
    if cfg["bottleneck"]:
        with b.block("bottleneck"):
            x = b.conv2d(x, cfg["bottleneck_width"], 1, activation="relu", name="conv_1x1")
    with b.block("5x5 conv"):
        x = b.conv2d(x, cfg["out_channels"], 5, padding="same", activation="relu",
                     name="conv_5x5")
    return b.build(x)


def inception_block(cfg: ArchConfig):
    b = NetworkBuilder("InceptionModule")
    x = b.input(cfg.input_shape, name="input")
    x = inception_module(b, x, "inception", cfg["c1"], cfg["c3"], cfg["c5"], cfg["pool_proj"],
                         cfg["c3_reduce"], cfg["c5_reduce"], bottleneck=cfg["bottleneck"])
    return b.build(x)


#: GoogLeNet's modules (Table 1): name, #1x1, #3x3 reduce, #3x3, #5x5 reduce, #5x5, pool proj
GOOGLENET_MODULES = (
    ("3a", 64, 96, 128, 16, 32, 32),
    ("3b", 128, 128, 192, 32, 96, 64),
    ("4a", 192, 96, 208, 16, 48, 64),
    ("4b", 160, 112, 224, 24, 64, 64),
    ("4c", 128, 128, 256, 24, 64, 64),
    ("4d", 112, 144, 288, 32, 64, 64),
    ("4e", 256, 160, 320, 32, 128, 128),
    ("5a", 256, 160, 320, 32, 128, 128),
    ("5b", 384, 192, 384, 48, 128, 128),
)
_POOL_AFTER = {"3b": "pool3", "4e": "pool4"}  # the max pools between the stages
_AUX_AFTER = {"4a": "aux1", "4d": "aux2"}


def _aux_head(b: NetworkBuilder, x: str, prefix: str, classes: int | None) -> str:
    """The paper's auxiliary classifier: it makes the middle layers predict the label too."""
    with b.block(prefix):
        y = b.avg_pool(x, 5, strides=3, name=f"{prefix}_avg_pool")
        y = b.conv2d(y, 128, 1, activation="relu", name=f"{prefix}_conv")
        y = b.flatten(y, name=f"{prefix}_flatten")
        y = b.dense(y, 1024, activation="relu", name=f"{prefix}_fc")
        y = b.dropout(y, 0.7, name=f"{prefix}_dropout")
        return b.classifier(y, classes, name=f"{prefix}_predictions")


def googlenet(cfg: ArchConfig):
    b = NetworkBuilder("GoogLeNet")
    x = b.input(cfg.input_shape, name="input")
    with b.block("stem"):
        x = b.conv2d(x, 64, 7, strides=2, padding="same", activation="relu", name="conv1")
        x = b.max_pool(x, 3, strides=2, padding="same", name="pool1")
        if cfg["lrn"]:
            x = b.lrn(x, name="norm1")
        x = b.conv2d(x, 64, 1, activation="relu", name="conv2_reduce")
        x = b.conv2d(x, 192, 3, padding="same", activation="relu", name="conv2")
        if cfg["lrn"]:
            x = b.lrn(x, name="norm2")
        x = b.max_pool(x, 3, strides=2, padding="same", name="pool2")
    aux = []
    for name, c1, c3r, c3, c5r, c5, proj in GOOGLENET_MODULES:
        with b.block(f"stage{name[0]}"):
            x = inception_module(b, x, f"inception_{name}", c1, c3, c5, proj, c3r, c5r)
            if name in _POOL_AFTER:
                x = b.max_pool(x, 3, strides=2, padding="same", name=_POOL_AFTER[name])
        if cfg["aux_heads"] and name in _AUX_AFTER:
            aux.append(_aux_head(b, x, _AUX_AFTER[name], cfg.classes))
    with b.block("head"):
        x = b.global_avg_pool(x, name="avg_pool")
        if cfg["dropout"] > 0:
            x = b.dropout(x, cfg["dropout"], name="dropout")
        x = b.classifier(x, cfg.classes, name="predictions")
    return b.build([x, *aux])


register(ZooEntry(
    key="inception_5x5", title="Inception cost example (5x5 conv)", family="Inception",
    description=(
        "The notes' computational-cost problem: a 5x5 same convolution from 28x28x192 to "
        "28x28x32 needs 5x5x192 multiplications for each of the 28x28x32 outputs, 120 million "
        "in all. A 1x1 convolution first shrinking the volume to 28x28x16 (the bottleneck "
        "layer) costs 2.4 million, the 5x5 conv after it 10.0 million: 12.4 million, a tenth, "
        "for the same output shape."),
    default_input=(28, 28, 192), default_classes=None, build=inception_5x5,
    options=(
        Setting("bottleneck", "1x1 bottleneck first", False, kind="bool"),
        Setting("bottleneck_width", "Bottleneck channels", 16, minimum=1, maximum=4096),
        Setting("out_channels", "5x5 conv filters", 32, minimum=1, maximum=4096),
    ),
    aliases=("inception_cost",),
))

register(ZooEntry(
    key="inception_module", title="Inception module", family="Inception",
    description=(
        "Instead of choosing between a 1x1, 3x3 or 5x5 conv or a pool, do them all and stack "
        "the outputs: 28x28x192 -> 1x1 64 + 3x3 128 + 5x5 32 + pool 32 = 28x28x256 (GoogLeNet's "
        "inception 3a). 1x1 bottlenecks before the 3x3 and 5x5 convs and after the pool keep "
        "the cost down. The naive form has no 1x1 convs: the pool then keeps all 192 "
        "channels (a pool cannot change them), so it outputs 28x28x416 and costs more."),
    default_input=(28, 28, 192), default_classes=None, build=inception_block,
    options=(
        Setting("bottleneck", "1x1 bottlenecks", True, kind="bool",
                help="off: the naive module without 1x1 reductions or pool projection"),
        Setting("c1", "1x1 branch filters", 64, minimum=0, maximum=4096),
        Setting("c3_reduce", "3x3 bottleneck", 96, minimum=1, maximum=4096),
        Setting("c3", "3x3 branch filters", 128, minimum=0, maximum=4096),
        Setting("c5_reduce", "5x5 bottleneck", 16, minimum=1, maximum=4096),
        Setting("c5", "5x5 branch filters", 32, minimum=0, maximum=4096),
        Setting("pool_proj", "Pool projection", 32, minimum=1, maximum=4096),
    ),
))

register(ZooEntry(
    key="googlenet", title="GoogLeNet (Inception v1)", family="Inception",
    description=(
        "Szegedy et al. 2014: nine Inception modules stacked, with extra max pools between "
        "them to shrink height and width, then global average pooling and a softmax. The "
        "auxiliary branches take hidden layers (after 4a and 4d) through a small CONV + FC "
        "head to their own softmax, so the middle of the network also learns to predict the "
        "label: a regularizer that fights overfitting. 7.0 million parameters without "
        "them, 13.4 million with; 1.58 G multiply-adds at 224x224."),
    default_input=(224, 224, 3), default_classes=1000, build=googlenet,
    options=(
        Setting("aux_heads", "Auxiliary classifiers", False, kind="bool",
                help="the two side softmax branches; the model then has three outputs"),
        Setting("lrn", "Local Response Normalization", False, kind="bool",
                help="after pool1 and conv2, as in the paper"),
        Setting("dropout", "Dropout before the classifier", 0.4, kind="float", minimum=0.0,
                maximum=0.95),
    ),
    aliases=("inception_v1", "inceptionv1"),
))
