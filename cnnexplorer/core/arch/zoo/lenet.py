"""LeNet-5 (LeCun et al. 1998), the notes' first classic network, in two variants.

classic: what the notes describe for 1998: 32x32x1 grey images, tanh, average pooling, no
padding; C5 is a 5x5 convolution that covers the whole 5x5x16 map, as in the paper.
modern:  ReLU and max pooling, C5 as a dense layer; 61,706 params, 416,520 MACs.

Both use full C3 connectivity (every C3 filter reads all six S2 maps; the paper wired only
some, 1,516 params instead of 2,416), pools without the paper's trainable coefficients and a
softmax instead of its RBF output units, so both count 61,706 parameters.

Layer names follow the paper (C1, S2, C3, S4, C5, F6, output), lower-cased.
"""

from __future__ import annotations

from cnnexplorer.core.arch.graph import NetworkBuilder
from cnnexplorer.core.arch.zoo.registry import ArchConfig, ZooEntry, register
from cnnexplorer.core.setting import Setting


def lenet5(cfg: ArchConfig):
    classic = cfg["variant"] == "classic"
    act = "tanh" if classic else "relu"
    pool = NetworkBuilder.avg_pool if classic else NetworkBuilder.max_pool
    b = NetworkBuilder("LeNet5")
    x = b.input(cfg.input_shape, name="input")
    with b.block("features"):
        x = b.conv2d(x, 6, 5, activation=act, name="c1")
        x = pool(b, x, 2, name="s2")
        x = b.conv2d(x, 16, 5, activation=act, name="c3")
        x = pool(b, x, 2, name="s4")
    with b.block("classifier"):
        if classic:
            # The paper's C5 is a 5x5 conv; on a 32x32 input its output is 1x1x120.
            x = b.conv2d(x, 120, 5, activation=act, name="c5")
            x = b.flatten(x, name="flatten")
        else:
            x = b.flatten(x, name="flatten")
            x = b.dense(x, 120, activation=act, name="c5")
        x = b.dense(x, 84, activation=act, name="f6")
        x = b.classifier(x, cfg.classes, name="output")
    return b.build(x)


register(ZooEntry(
    key="lenet5", title="LeNet-5", family="LeNet-5",
    description=(
        "LeCun's 1998 network for 32x32x1 grey digits: CONV 6 5x5 -> POOL -> CONV 16 5x5 -> "
        "POOL -> 120 -> 84 -> 10. As the network deepens, height and width shrink "
        "(32 -> 28 -> 14 -> 10 -> 5) while the channels grow (1 -> 6 -> 16). The classic "
        "variant uses tanh, average pooling and no padding, as people did in 1998; the modern "
        "one uses ReLU and max pooling: about 61.7 thousand parameters."),
    default_input=(32, 32, 1), default_classes=10, build=lenet5,
    options=(Setting("variant", "Variant", "classic", kind="choice",
                     choices=("classic", "modern"),
                     help="classic: tanh + average pooling (1998); modern: ReLU + max pooling"),),
    aliases=("lenet", "lenet-5", "lenet_5"),
))
