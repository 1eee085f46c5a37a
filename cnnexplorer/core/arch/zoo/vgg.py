"""VGG-16 (Simonyan & Zisserman 2014) with keras.applications.VGG16's layer names.

Five blocks of 3x3 same convolutions (2, 2, 3, 3, 3 of them) each closed by a 2x2/2 max pool,
then flatten, fc1, fc2 and predictions: 138,357,544 parameters, 15,470,264,320 MACs at
224x224x3. A width multiplier scales every conv; the head can be the classic FC head or,
like `include_top=False, pooling="avg"`, a global average pool before the classifier.
"""

from __future__ import annotations

from cnnexplorer.core.arch.graph import NetworkBuilder
from cnnexplorer.core.arch.zoo.registry import ArchConfig, ZooEntry, register
from cnnexplorer.core.setting import Setting

#: (block, convolutions in the block, filters)
VGG16_BLOCKS = ((1, 2, 64), (2, 2, 128), (3, 3, 256), (4, 3, 512), (5, 3, 512))


def vgg16(cfg: ArchConfig):
    b = NetworkBuilder("VGG16")
    x = b.input(cfg.input_shape, name="input")
    for block, convs, filters in VGG16_BLOCKS:
        filters = max(1, round(filters * cfg["width"]))
        with b.block(f"block{block}"):
            for i in range(1, convs + 1):
                x = b.conv2d(x, filters, 3, padding="same", activation="relu",
                             name=f"block{block}_conv{i}")
            x = b.max_pool(x, 2, strides=2, name=f"block{block}_pool")
    with b.block("head"):
        if cfg["head"] == "fc":
            x = b.flatten(x, name="flatten")
            x = b.dense(x, cfg["fc_units"], activation="relu", name="fc1")
            x = b.dense(x, cfg["fc_units"], activation="relu", name="fc2")
        else:
            x = b.global_avg_pool(x, name="avg_pool")
        x = b.classifier(x, cfg.classes, name="predictions")
    return b.build(x)


register(ZooEntry(
    key="vgg16", title="VGG-16", family="VGG-16",
    description=(
        "Simonyan and Zisserman's 2014 network, which simplifies the design: every conv is "
        "3x3 same with stride 1 and every pool 2x2 with stride 2. Height and width halve "
        "block after block (224 -> 112 -> 56 -> 28 -> 14 -> 7) while the channels double "
        "(64 -> 128 -> 256 -> 512). 16 weight layers and 138 million parameters, large but "
        "easy to understand; VGG-19 is bigger and performs about the same."),
    default_input=(224, 224, 3), default_classes=1000, build=vgg16,
    options=(
        Setting("width", "Width multiplier", 1.0, kind="float", minimum=0.01, maximum=8,
                help="scales every conv's filter count"),
        Setting("head", "Head", "fc", kind="choice", choices=("fc", "global_avg"),
                help="fc: flatten, fc1, fc2 (Keras include_top=True); global_avg: global "
                    "average pooling then the classifier"),
        Setting("fc_units", "Units in fc1/fc2", 4096, minimum=1, maximum=16384),
    ),
    aliases=("vgg", "vgg-16", "vgg_16"),
))
