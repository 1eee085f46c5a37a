"""The notes' 1x1 convolution ("Network in Network", Lin et al. 2013) examples.

A 1x1 conv applies the same small fully connected layer at every position: each output value
is the dot product of one position's C_in numbers with a filter's C_in weights, then ReLU.
It changes the channel count and leaves height and width alone; pooling does the opposite.
These entries have no classifier: they show one layer's shape and cost.
"""

from __future__ import annotations

from cnnexplorer.core.arch.graph import NetworkBuilder
from cnnexplorer.core.arch.zoo.registry import ArchConfig, ZooEntry, register
from cnnexplorer.core.setting import Setting


def one_by_one(cfg: ArchConfig):
    b = NetworkBuilder("NetworkInNetwork")
    x = b.input(cfg.input_shape, name="input")
    outputs = []
    with b.block("1x1 conv"):
        outputs.append(b.conv2d(x, cfg["out_channels"], 1, activation="relu", name="conv_1x1"))
    if cfg["pool"]:
        # The comparison the notes draw: pooling shrinks H and W, keeps the channels.
        with b.block("pool"):
            outputs.append(b.max_pool(x, 2, name="max_pool"))
    return b.build(outputs)


_OUT = Setting("out_channels", "Output channels (1x1 filters)", 32, minimum=1, maximum=8192,
               help="28x28x192 input: 32 shrinks the channels, 192 keeps them, more grows them")
_POOL = Setting("pool", "Also show a 2x2 max pool", False, kind="bool",
                help="a second output: pooling shrinks height and width, the 1x1 conv channels")

register(ZooEntry(
    key="nin_1x1", title="1x1 convolution (28x28x192)", family="1x1 convolutions",
    description=(
        "Network in Network: a 1x1 convolution is a fully connected layer applied to the "
        "channels of each position. On the notes' 28x28x192 volume, 32 filters of 1x1x192 "
        "shrink it to 28x28x32 (pooling would shrink height and width instead); 192 filters "
        "keep the channels and only add a non-linearity; more filters grow them. Inception "
        "uses it as a cheap bottleneck."),
    default_input=(28, 28, 192), default_classes=None, build=one_by_one,
    options=(_OUT, _POOL), aliases=("nin", "1x1", "network_in_network"),
))

register(ZooEntry(
    key="nin_6x6", title="1x1 convolution (6x6x32)", family="1x1 convolutions",
    description=(
        "The notes' first 1x1 example: on a 6x6x1 image a 1x1 filter only scales each "
        "number, but on a 6x6x32 volume each filter takes the 32 numbers at one of the 36 "
        "positions, multiplies them by its 32 weights, sums and applies ReLU. With n filters "
        "the output is 6x6xn."),
    default_input=(6, 6, 32), default_classes=None, build=one_by_one,
    options=(Setting("out_channels", "Output channels (1x1 filters)", 1, minimum=1,
                     maximum=8192, help="the number of 1x1x32 filters"), _POOL),
))
