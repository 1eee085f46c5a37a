"""The case studies side by side: one row of figures per network, from the same cost report
that `cnnexplorer inspect` prints, so a `compare` row always equals that network's totals.

Each row: parameters, MACs, depth (the most layers with weights, convolutions and Dense, on
one path from input to output, as the papers count "16 layers" for VGG-16), activations per image,
training memory at a batch size, the receptive field of the last convolution, and an accuracy:
a saved run's when the caller passes one (its test accuracy, or its validation accuracy where
no test was measured: core/train/run_accuracy.py, and the row says which), else the published
ImageNet top-1 (single centre crop) of the classic networks, each with its source.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from cnnexplorer.core.arch.cost import CostReport, cost_report
from cnnexplorer.core.arch.receptive_field import ReceptiveField

#: the kinds a depth counts: layers with weights on the signal's path
WEIGHT_KINDS = ("Conv2D", "DepthwiseConv2D", "SeparableConv2D", "Conv2DTranspose", "Dense")
CONV_KINDS = ("Conv2D", "DepthwiseConv2D", "SeparableConv2D")


@dataclass(frozen=True)
class PublishedAccuracy:
    """An ImageNet top-1 accuracy (single centre crop) and where it was published."""

    top1: float
    source: str


KERAS_TABLE = "keras.io/api/applications (Keras Applications table, single centre crop)"
#: published ImageNet-1k top-1 at the network's standard input, by zoo key
PUBLISHED_TOP1 = {
    "alexnet": PublishedAccuracy(0.56522, "torchvision AlexNet_Weights.IMAGENET1K_V1 (acc@1)"),
    "vgg16": PublishedAccuracy(0.713, KERAS_TABLE),
    "resnet50": PublishedAccuracy(0.749, KERAS_TABLE),
    "googlenet": PublishedAccuracy(0.69778,
                                   "torchvision GoogLeNet_Weights.IMAGENET1K_V1 (acc@1)"),
    "inceptionv3": PublishedAccuracy(0.779, KERAS_TABLE),
    "resnet50v2": PublishedAccuracy(0.760, KERAS_TABLE),
    "mobilenet": PublishedAccuracy(0.704, KERAS_TABLE),
    "mobilenetv2": PublishedAccuracy(0.713, KERAS_TABLE),
    "densenet121": PublishedAccuracy(0.750, KERAS_TABLE),
    "efficientnetb0": PublishedAccuracy(0.771, KERAS_TABLE),
    "xception": PublishedAccuracy(0.790, KERAS_TABLE),
}


#: the kinds of a saved run's accuracy (core/train/run_accuracy.py), said beside the figure
RUN_KINDS = ("test", "validation", "training")


@dataclass(frozen=True)
class CaseStudyRow:
    """One network's figures. `accuracy` is a saved run's (`accuracy_kind` "test",
    "validation" or "training"; `accuracy_source` names the run) or the published ImageNet
    top-1 (`accuracy_kind` "imagenet_top1", `accuracy_source` the paper or library), None
    when neither exists."""

    key: str
    title: str
    input_shape: tuple[int, ...]
    params: int
    macs: int
    macs_lower_bound: bool
    depth: int
    activation_bytes: int
    training_memory: int
    batch_size: int
    last_conv: str | None
    last_conv_field: ReceptiveField | None
    accuracy: float | None = None
    accuracy_source: str = ""
    accuracy_kind: str = ""

    def to_dict(self) -> dict:
        f = self.last_conv_field
        return {"architecture": self.key, "title": self.title,
                "input_shape": list(self.input_shape), "params": self.params,
                "macs": self.macs, "flops": 2 * self.macs,
                "macs_lower_bound": self.macs_lower_bound, "depth": self.depth,
                "activation_bytes_per_image": self.activation_bytes,
                "training_memory": self.training_memory, "batch_size": self.batch_size,
                "last_conv": self.last_conv,
                "last_conv_receptive_field": list(f.size) if f else None,
                "accuracy": self.accuracy, "accuracy_kind": self.accuracy_kind or None,
                "accuracy_source": self.accuracy_source}


def depth_of(network) -> int:
    """The most layers with weights (convolutions, Dense) on one path from the input to an
    output: how the papers count, so VGG-16 is 16, ResNet-50 50 (its 1x1 shortcut
    projections lie beside the path) and GoogLeNet 22."""
    depth: dict[str, int] = {}
    for node in network.nodes:
        before = max((depth[i] for i in node.inputs), default=0)
        depth[node.name] = before + (1 if node.kind in WEIGHT_KINDS else 0)
    return max(depth[o] for o in network.outputs)


def case_study_row(key: str, title: str, report: CostReport, batch_size: int = 32,
                   run_accuracy: tuple[float, str, str] | None = None) -> CaseStudyRow:
    """The row of one network from its cost report (the `inspect` numbers).

    Args:
        run_accuracy: (accuracy, its kind: "test", "validation" or "training", where it
            comes from) of a saved run, shown instead of the published figure.
    """
    convs = [r for r in report.rows if r.type in CONV_KINDS]
    last = convs[-1] if convs else None
    if run_accuracy is not None:
        accuracy, kind, source = run_accuracy
    elif key in PUBLISHED_TOP1:
        pub = PUBLISHED_TOP1[key]
        accuracy, kind, source = pub.top1, "imagenet_top1", f"ImageNet top-1, {pub.source}"
    else:
        accuracy, kind, source = None, "", ""
    t = report.totals
    return CaseStudyRow(
        key=key, title=title, input_shape=tuple(report.network.input_shape), params=t.params,
        macs=t.macs, macs_lower_bound=t.macs_lower_bound, depth=depth_of(report.network),
        activation_bytes=t.activation_bytes,
        training_memory=report.training_memory(batch_size).total, batch_size=batch_size,
        last_conv=last.name if last else None,
        last_conv_field=last.receptive_field if last else None,
        accuracy=accuracy, accuracy_source=source, accuracy_kind=kind)


def compare_networks(entries, batch_size: int = 32, run_accuracies=None) -> list[CaseStudyRow]:
    """Rows for (key, title, network) triples in the order given.

    `run_accuracies` maps a key to (accuracy, kind, source) for networks with a saved run
    (a dataset's runs); None: the published ImageNet figures instead.
    """
    rows = [case_study_row(key, title, cost_report(network), batch_size,
                           (run_accuracies or {}).get(key))
            for key, title, network in entries]
    if run_accuracies is None:
        return rows
    # beside a dataset's runs, a network without one shows none: never a published
    # ImageNet figure next to a run's
    return [r if r.key in run_accuracies else without_accuracy(r) for r in rows]


def accuracy_text(row: CaseStudyRow) -> str:
    """'74.9%' (published), '91.2% (test)' or '88.0% (validation)' (a saved run), '-'."""
    if row.accuracy is None:
        return "-"
    kind = f" ({row.accuracy_kind})" if row.accuracy_kind in RUN_KINDS else ""
    return f"{row.accuracy:.1%}{kind}"


def without_accuracy(row: CaseStudyRow) -> CaseStudyRow:
    """The row with no accuracy: beside saved runs, a network without one shows none (never
    a published ImageNet figure next to a run's)."""
    return replace(row, accuracy=None, accuracy_source="", accuracy_kind="")
