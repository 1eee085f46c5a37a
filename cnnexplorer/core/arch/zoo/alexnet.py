"""AlexNet (Krizhevsky et al. 2012) as the course slide draws it.

227x227x3, one tower (no two-GPU grouping), ReLU everywhere, 62,378,344 parameters. The
paper's Local Response Normalization is an option, off by default because the notes say it
is no longer used; when on it follows conv1 and conv2 (before their pools, as in Caffe).
Layer names follow the Caffe reference model (conv1, norm1, pool1, ..., fc6, fc7, fc8).
"""

from __future__ import annotations

from cnnexplorer.core.arch.graph import NetworkBuilder
from cnnexplorer.core.arch.zoo.registry import ArchConfig, ZooEntry, register
from cnnexplorer.core.setting import Setting


def alexnet(cfg: ArchConfig):
    b = NetworkBuilder("AlexNet")
    x = b.input(cfg.input_shape, name="input")
    with b.block("conv1"):
        x = b.conv2d(x, 96, 11, strides=4, activation="relu", name="conv1")
        if cfg["lrn"]:
            x = b.lrn(x, name="norm1")
        x = b.max_pool(x, 3, strides=2, name="pool1")
    with b.block("conv2"):
        x = b.conv2d(x, 256, 5, padding="same", activation="relu", name="conv2")
        if cfg["lrn"]:
            x = b.lrn(x, name="norm2")
        x = b.max_pool(x, 3, strides=2, name="pool2")
    with b.block("conv3-5"):
        for i, filters in ((3, 384), (4, 384), (5, 256)):
            x = b.conv2d(x, filters, 3, padding="same", activation="relu", name=f"conv{i}")
        x = b.max_pool(x, 3, strides=2, name="pool5")
    with b.block("classifier"):
        x = b.flatten(x, name="flatten")
        for i in (6, 7):
            x = b.dense(x, cfg["fc_units"], activation="relu", name=f"fc{i}")
            if cfg["dropout"] > 0:
                x = b.dropout(x, cfg["dropout"], name=f"drop{i}")
        x = b.classifier(x, cfg.classes, name="fc8")
    return b.build(x)


register(ZooEntry(
    key="alexnet", title="AlexNet", family="AlexNet",
    description=(
        "Krizhevsky, Sutskever and Hinton's 2012 ImageNet winner: similar to LeNet-5 but much "
        "bigger. CONV 96 11x11/4 -> MAXPOOL 3x3/2 -> CONV 256 5x5 same -> MAXPOOL -> three "
        "CONV 3x3 same (384, 384, 256) -> MAXPOOL -> FC 4096 -> FC 4096 -> softmax 1000. It "
        "used ReLU instead of tanh/sigmoid, was split over two GPUs (not here) and used Local "
        "Response Normalization, which is rarely used today. About 60 million parameters, "
        "almost all in the fully connected layers."),
    default_input=(227, 227, 3), default_classes=1000, build=alexnet,
    options=(
        Setting("lrn", "Local Response Normalization", False, kind="bool",
                help="after conv1 and conv2, as in the paper; the notes say it is no longer used"),
        Setting("dropout", "Dropout in FC6/FC7", 0.5, kind="float", minimum=0.0, maximum=0.95,
                help="0 removes the dropout layers"),
        Setting("fc_units", "Units in FC6/FC7", 4096, minimum=1, maximum=16384),
    ),
    aliases=("alex", "alexnet-course"),
))
