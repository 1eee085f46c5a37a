"""The course's building blocks, with the course's layer names.

`identity_block` and `convolutional_block` follow the Residual Networks notebook exactly:
main path names `res{stage}{block}_branch2a/2b/2c` and `bn{stage}{block}_branch2a/2b/2c`,
shortcut `res{stage}{block}_branch1` / `bn{stage}{block}_branch1`, stride on the first 1x1
conv of the main path and on the shortcut conv.
"""

from __future__ import annotations

from typing import Sequence

from cnnexplorer.core.errors import ConfigError
from cnnexplorer.core.arch.graph import NetworkBuilder


def conv_bn_relu(b: NetworkBuilder, x: str, filters: int, kernel_size, strides=1,
                 padding="valid", name: str | None = None, bn_name: str | None = None,
                 use_bias: bool = True, relu: bool = True) -> str:
    """CONV -> BN -> RELU, the unit the course stacks everywhere."""
    x = b.conv2d(x, filters, kernel_size, strides, padding, name=name, use_bias=use_bias)
    x = b.batch_norm(x, name=bn_name or (f"bn_{name}" if name else None))
    if not relu:
        return x
    # The notebook leaves these ReLUs unnamed; naming them after their conv keeps the
    # table readable ("res2a_branch2a_relu" rather than "activation_12").
    return b.activation(x, "relu", name=f"{name}_relu" if name else None)


def _filters(filters: Sequence[int]) -> tuple[int, int, int]:
    if len(filters) != 3:
        raise ConfigError(f"a residual block takes three filter counts [F1, F2, F3]; "
                          f"received {list(filters)!r}")
    return tuple(filters)  # type: ignore[return-value]


def identity_block(b: NetworkBuilder, x: str, f: int, filters: Sequence[int], stage: int,
                   block: str) -> str:
    """Main path 1x1 -> fxf (same) -> 1x1, added to the unchanged input, then ReLU."""
    f1, f2, f3 = _filters(filters)
    c_in = b.shape(x)[-1]
    if c_in != f3:
        raise ConfigError(f"identity block {stage}{block} needs F3 ({f3}) equal to its input "
                          f"channels ({c_in}); use a convolutional block to change them")
    conv, bn = f"res{stage}{block}_branch", f"bn{stage}{block}_branch"
    with b.block(f"res{stage}{block}"):
        shortcut = x
        y = conv_bn_relu(b, x, f1, 1, name=conv + "2a", bn_name=bn + "2a")
        y = conv_bn_relu(b, y, f2, f, padding="same", name=conv + "2b", bn_name=bn + "2b")
        y = conv_bn_relu(b, y, f3, 1, name=conv + "2c", bn_name=bn + "2c", relu=False)
        y = b.add_([y, shortcut], name=f"res{stage}{block}_add")
        return b.activation(y, "relu", name=f"res{stage}{block}_relu")


def convolutional_block(b: NetworkBuilder, x: str, f: int, filters: Sequence[int], stage: int,
                        block: str, s: int = 2) -> str:
    """Like the identity block, with a strided 1x1 conv + BN on the shortcut to match shapes."""
    f1, f2, f3 = _filters(filters)
    conv, bn = f"res{stage}{block}_branch", f"bn{stage}{block}_branch"
    with b.block(f"res{stage}{block}"):
        shortcut = x
        y = conv_bn_relu(b, x, f1, 1, strides=s, name=conv + "2a", bn_name=bn + "2a")
        y = conv_bn_relu(b, y, f2, f, padding="same", name=conv + "2b", bn_name=bn + "2b")
        y = conv_bn_relu(b, y, f3, 1, name=conv + "2c", bn_name=bn + "2c", relu=False)
        shortcut = b.conv2d(shortcut, f3, 1, strides=s, name=conv + "1")
        shortcut = b.batch_norm(shortcut, name=bn + "1")
        y = b.add_([y, shortcut], name=f"res{stage}{block}_add")
        return b.activation(y, "relu", name=f"res{stage}{block}_relu")


def inception_module(b: NetworkBuilder, x: str, name: str, c1: int, c3: int, c5: int,
                     pool_proj: int, c3_reduce: int = 0, c5_reduce: int = 0,
                     bottleneck: bool = True) -> str:
    """Inception (v1) module: 1x1, 3x3, 5x5 and 3x3 max-pool branches concatenated.

    With `bottleneck`, 1x1 convs shrink the channels before the 3x3 and 5x5 convs and after
    the pool (GoogLeNet); without, the big convs read the whole input (the notes' naive form,
    and the pool branch passes its channels through unchanged).
    """
    with b.block(name):
        branches = []
        if c1:
            branches.append(b.conv2d(x, c1, 1, name=f"{name}_1x1", activation="relu"))
        for size, out, reduce in ((3, c3, c3_reduce), (5, c5, c5_reduce)):
            if not out:
                continue
            y = x
            if bottleneck:
                if reduce < 1:
                    raise ConfigError(f"inception module {name}: the {size}x{size} branch needs "
                                      f"a bottleneck width >= 1; received {reduce!r}")
                y = b.conv2d(y, reduce, 1, name=f"{name}_{size}x{size}_reduce",
                             activation="relu")
            branches.append(b.conv2d(y, out, size, padding="same", activation="relu",
                                     name=f"{name}_{size}x{size}"))
        y = b.max_pool(x, 3, strides=1, padding="same", name=f"{name}_pool")
        if bottleneck and pool_proj:
            y = b.conv2d(y, pool_proj, 1, name=f"{name}_pool_proj", activation="relu")
        branches.append(y)
        return b.concat(branches, name=f"{name}_output")
