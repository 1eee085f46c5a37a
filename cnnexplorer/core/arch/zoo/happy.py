"""The Happy House models of the "Keras Tutorial - the Happy House" notebook."""

from __future__ import annotations

from cnnexplorer.core.arch.graph import NetworkBuilder
from cnnexplorer.core.arch.zoo.registry import ArchConfig, ZooEntry, register
from cnnexplorer.core.setting import Setting


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
    options=(Setting("filters", "Conv filters", 32, minimum=1, maximum=4096),
             Setting("kernel", "Conv kernel size", 7, minimum=1, maximum=31),
             Setting("padding", "Zero padding", 3, minimum=0, maximum=64)),
    aliases=("happy", "happy_model"),
))

register(ZooEntry(
    key="happymodel3", title="HappyModel, three-block variant", family="Happy House",
    description=(
        "The notes' own HappyModel: three CONV 3x3 -> BN -> ReLU -> MAXPOOL blocks (8, 16 and "
        "32 filters) before the sigmoid unit. Height and width halve at each block while the "
        "channels double, which shrinks the dense layer more than tenfold."),
    default_input=(64, 64, 3), default_classes=1, build=happy_model_3block,
    options=(Setting("base_filters", "Filters in block 1", 8, minimum=1, maximum=1024),),
))



def door_net(cfg: ArchConfig):
    """The bundled door's network: a 5x5 stride-2 stem, three blocks of `convs` (conv 3x3
    'same', BN, ReLU) units and a max pool 2, doubling the filters, then Flatten (or global
    average pooling), dropout and one sigmoid unit.

    Built for real face crops (64x64 grey) on a small CPU: the stride-2 stem halves the
    resolution before any wide layer (at full resolution the BN and ReLU maps alone cost more
    than the convolutions), and stacked 3x3 units see the whole mouth region. The Flatten head
    keeps where each feature sits (the mouth is always low in a crop); it learnt faster than
    global pooling here. The convolutions carry no bias (BN adds one). Two units per block
    (the bundled door since 2026-12-03) beat one on every validation set of the door's data
    for three times the multiplications (benchmarks/door.md).
    """
    b = NetworkBuilder("DoorNet")
    f = cfg["filters"]
    x = b.input(cfg.input_shape, name="input")
    with b.block("stem"):
        x = b.conv2d(x, max(1, f // 2), 5, strides=2, padding="same", use_bias=False,
                     name="conv0")
        x = b.batch_norm(x, name="bn0")
        x = b.activation(x, "relu", name="relu0")
    for i, filters in enumerate((f, 2 * f, 4 * f), start=1):
        with b.block(f"block{i}"):
            for j in range(cfg["convs"]):
                # the first unit keeps the one-conv names, so a one-conv DoorNet (the
                # default) reads and loads as before
                tag = f"{i}" if j == 0 else f"{i}_{j + 1}"
                x = b.conv2d(x, filters, 3, padding="same", use_bias=False, name=f"conv{tag}")
                x = b.batch_norm(x, name=f"bn{tag}")
                x = b.activation(x, "relu", name=f"relu{tag}")
            x = b.max_pool(x, 2, name=f"pool{i}")
    with b.block("head"):
        if cfg["head"] == "flatten":
            x = b.flatten(x, name="flatten")
        else:
            x = b.global_avg_pool(x, name="global_pool")
        x = b.dropout(x, cfg["dropout"], name="dropout")
        x = b.classifier(x, cfg.classes, name="fc")
    return b.build(x)


register(ZooEntry(
    key="doornet", title="DoorNet (the bundled door model)", family="Happy House",
    description=(
        "The network of the bundled Happy door model, trained on real face crops: a 5x5 "
        "stride-2 CONV stem (16 filters), then three blocks of CONV 3x3 -> BN -> ReLU units "
        "and a MAXPOOL (32, 64, 128 filters), Flatten, dropout and one sigmoid unit. With one "
        "unit per block (this entry's default): about 100 thousand parameters and 14.6 M MACs "
        "on 64x64x1 grey faces (HappyModel: 19.3 M); the bundled door stacks two per block, "
        "as VGG does (set 'CONV units per block' to 2: about three times the "
        "multiplications). The stem shrinks the image before any wide layer, and three "
        "pools leave a small 4x4x128 map for the dense unit."),
    default_input=(64, 64, 1), default_classes=1, build=door_net,
    options=(Setting("filters", "Filters in block 1 (doubled in each next block)", 32,
                     minimum=2, maximum=512),
             Setting("convs", "CONV units per block", 1,
                     minimum=1, maximum=4,
                     help="CONV 3x3 -> BN -> ReLU units in each block before its pool: 2 "
                          "makes each block see 5x5 before it pools, as VGG stacks its 3x3 "
                          "convolutions (the bundled door: 2), for about three times the "
                          "multiplications"),
             Setting("dropout", "Dropout before the output", 0.3, kind="float", minimum=0.0,
                     maximum=0.9),
             Setting("head", "Head", "flatten", kind="choice",
                     choices=("flatten", "global_pool"),
                     help="flatten: the output unit sees where each feature is (the mouth "
                         "sits low in a face crop); global_pool: only whether it is there")),
    aliases=("door_net",),
))
