"""The Happy House models of the "Keras Tutorial - the Happy House" notebook."""

from __future__ import annotations

from cnnexplorer.core.arch.graph import NetworkBuilder
from cnnexplorer.core.arch.zoo.registry import ArchConfig, Option, ZooEntry, register


def happy_model(cfg: ArchConfig):
    """The notebook's reference model: ZeroPad 3, Conv 32 7x7 'conv0', BN 'bn0', ReLU,
    MaxPool 'max_pool', Flatten, Dense 'fc' (sigmoid for one class)."""
    b = NetworkBuilder("HappyModel")
    x = b.input(cfg.input_shape, name="input")
    with b.block("conv"):
        x = b.zero_pad(x, cfg["padding"], name="zero_padding")
        x = b.conv2d(x, cfg["filters"], cfg["kernel"], name="conv0")
        x = b.batch_norm(x, name="bn0")
        x = b.activation(x, "relu", name="relu0")
        x = b.max_pool(x, 2, name="max_pool")
    with b.block("head"):
        x = b.flatten(x, name="flatten")
        x = b.classifier(x, cfg.classes, name="fc")
    return b.build(x)


def happy_model_3block(cfg: ArchConfig):
    """The notes' own answer: three (pad 1, conv 3x3, BN, ReLU, maxpool 2) blocks, 8-16-32."""
    b = NetworkBuilder("HappyModel3")
    x = b.input(cfg.input_shape, name="input")
    filters = cfg["base_filters"]
    for i in range(1, 4):
        with b.block(f"block{i}"):
            x = b.zero_pad(x, 1, name=f"zero_padding{i}")
            x = b.conv2d(x, filters, 3, name=f"conv{i}")
            x = b.batch_norm(x, name=f"bn{i}")
            x = b.activation(x, "relu", name=f"relu{i}")
            x = b.max_pool(x, 2, name=f"max_pool{i}")
        filters *= 2
    with b.block("head"):
        x = b.flatten(x, name="flatten")
        x = b.classifier(x, cfg.classes, name="fc")
    return b.build(x)


register(ZooEntry(
    key="happymodel", title="HappyModel (Happy House)", family="Happy House",
    description=(
        "The Keras tutorial's reference model for the Happy House door: the door opens only "
        "for people who smile. ZeroPadding 3, one CONV 32 7x7 -> BN -> ReLU unit, a 2x2 max "
        "pool, then a single sigmoid unit. 37,633 parameters on 64x64x3 faces; almost all of "
        "them sit in the final dense layer."),
    default_input=(64, 64, 3), default_classes=1, build=happy_model,
    options=(Option("filters", "Conv filters", 32, minimum=1, maximum=4096),
             Option("kernel", "Conv kernel size", 7, minimum=1, maximum=31),
             Option("padding", "Zero padding", 3, minimum=0, maximum=64)),
    aliases=("happy", "happy_model"),
))

register(ZooEntry(
    key="happymodel3", title="HappyModel, three-block variant", family="Happy House",
    description=(
        "The notes' own HappyModel: three CONV 3x3 -> BN -> ReLU -> MAXPOOL blocks (8, 16 and "
        "32 filters) before the sigmoid unit. Height and width halve at each block while the "
        "channels double, which shrinks the dense layer more than tenfold."),
    default_input=(64, 64, 3), default_classes=1, build=happy_model_3block,
    options=(Option("base_filters", "Filters in block 1", 8, minimum=1, maximum=1024),),
))
