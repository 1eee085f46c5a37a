"""ResNet-50, in the course notebook's form and in the ImageNet (keras.applications) form."""

from __future__ import annotations

from cnnexplorer.core.arch.blocks import convolutional_block, identity_block
from cnnexplorer.core.errors import ConfigError
from cnnexplorer.core.arch.graph import NetworkBuilder
from cnnexplorer.core.arch.zoo.registry import ArchConfig, ZooEntry, register
from cnnexplorer.core.setting import Setting

#: (stage, [F1, F2, F3], number of identity blocks after the convolutional block, stride)
RESNET50_STAGES = (
    (2, (64, 64, 256), 2, 1),
    (3, (128, 128, 512), 3, 2),
    (4, (256, 256, 1024), 5, 2),
    (5, (512, 512, 2048), 2, 2),  # the notes' "[256, 256, 2048]" for b and c is a typo
)


def _resnet50_body(b: NetworkBuilder, x: str, width: float, pool_pad: bool) -> str:
    def w(n: int) -> int:
        return max(1, round(n * width))

    with b.block("stage1"):
        x = b.zero_pad(x, 3, name="conv1_pad")
        x = b.conv2d(x, w(64), 7, strides=2, name="conv1")
        x = b.batch_norm(x, name="bn_conv1")
        x = b.activation(x, "relu", name="conv1_relu")
        if pool_pad:  # keras.applications pads before the pool: 112 -> 56, not 55
            x = b.zero_pad(x, 1, name="pool1_pad")
        x = b.max_pool(x, 3, strides=2, name="pool1")
    for stage, stage_filters, identities, stride in RESNET50_STAGES:
        filters = tuple(w(f) for f in stage_filters)
        with b.block(f"stage{stage}"):
            x = convolutional_block(b, x, 3, filters, stage, "a", s=stride)
            for block in "bcdef"[:identities]:
                x = identity_block(b, x, 3, filters, stage, block)
    return x


def course_resnet50(cfg: ArchConfig):
    b = NetworkBuilder("ResNet50")
    x = b.input(cfg.input_shape, name="input")
    x = _resnet50_body(b, x, cfg["width"], pool_pad=False)
    with b.block("head"):
        x = b.avg_pool(x, 2, name="avg_pool")
        x = b.flatten(x, name="flatten")
        x = b.classifier(x, cfg.classes, name=f"fc{cfg.classes}")
    return b.build(x)


def imagenet_resnet50(cfg: ArchConfig):
    b = NetworkBuilder("ResNet50")
    x = b.input(cfg.input_shape, name="input")
    x = _resnet50_body(b, x, cfg["width"], pool_pad=True)
    with b.block("head"):
        if cfg["pooling"] == "global_avg":
            x = b.global_avg_pool(x, name="avg_pool")
        else:
            h, w_, _ = b.shape(x)
            if (h, w_) != (7, 7):
                raise ConfigError(f"pooling=avg7 needs a 7x7 final map (224x224 input); the "
                                  f"map is {h}x{w_}: use pooling=global_avg")
            x = b.avg_pool(x, 7, name="avg_pool")
            x = b.flatten(x, name="flatten")
        x = b.classifier(x, cfg.classes, name="fc1000" if cfg.classes == 1000 else
                         f"fc{cfg.classes}")
    return b.build(x)


_WIDTH = Setting("width", "Width multiplier", 1.0, kind="float", minimum=0.01, maximum=8,
                 help="scales every filter count")

register(ZooEntry(
    key="resnet50_course", title="ResNet-50 (course, 64x64 SIGNS)", family="Residual networks",
    description=(
        "The Residual Networks notebook's ResNet-50 for the 64x64 SIGNS images: stage 1 "
        "CONV 7x7/2 -> BN -> ReLU -> MAXPOOL 3x3/2, then convolutional + identity blocks "
        "[2, 3, 5, 2 identity blocks] whose shortcuts let gradients skip ahead, so a 50-layer "
        "network still trains. AveragePooling 2x2 'avg_pool' and a softmax 'fc6' close it."),
    default_input=(64, 64, 3), default_classes=6, build=course_resnet50,
    options=(_WIDTH,), aliases=("course_resnet50", "resnet50-course"),
))

register(ZooEntry(
    key="resnet50", title="ResNet-50 (ImageNet form)", family="Residual networks",
    description=(
        "He et al.'s ResNet-50 as keras.applications builds it: 224x224x3, the course's "
        "identity and convolutional blocks (stride on the first 1x1 conv of each "
        "convolutional block), global average pooling and 1000 classes. 25.6 M parameters, "
        "3.86 G MACs; torchvision's 4.09 G puts the stride on the 3x3 conv instead."),
    default_input=(224, 224, 3), default_classes=1000, build=imagenet_resnet50,
    options=(_WIDTH, Setting("pooling", "Final pooling", "global_avg", kind="choice",
                             choices=("global_avg", "avg7"))),
    aliases=("resnet-50", "resnet_50"),
))
