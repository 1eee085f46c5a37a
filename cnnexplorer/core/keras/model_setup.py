"""Which Keras model a run trains, and how it is compiled (no Qt; Keras imported lazily).

The task decides the head: two classes -> one sigmoid unit with binary cross-entropy (the
Happy House), more -> a softmax with sparse categorical cross-entropy (labels stay integers).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from cnnexplorer.core.errors import ConfigError, TrainingError
from cnnexplorer.core.data.adapt import adaptation_notes
from cnnexplorer.core.formatting import shape_text
from cnnexplorer.core.keras.build import build_keras_model, import_keras


@dataclass(frozen=True)
class ArchSpec:
    """A zoo architecture to build for a dataset: key and options (the Architecture panel's
    choice). `input_shape` is used only when the network cannot take the dataset's own."""
    key: str
    options: dict = field(default_factory=dict)
    input_shape: tuple | None = None

    @classmethod
    def from_choice(cls, choice) -> "ArchSpec":
        """From the GUI session's ArchitectureChoice (or anything with key/options)."""
        shape = getattr(choice, "input_shape", None)
        return cls(choice.key, dict(getattr(choice, "options", None) or {}),
                   tuple(shape) if shape else None)


@dataclass
class PreparedModel:
    model: Any  # keras.Model
    input_shape: tuple  # what the model takes; the data is adapted to it
    binary: bool
    notes: list = field(default_factory=list)
    arch_info: dict = field(default_factory=dict)  # saved in the run's config.json
    network: Any = None  # the spec Network, when built from the zoo


def prepare_model(arch: ArchSpec, dataset, seed: int | None = 0) -> PreparedModel:
    """Build `arch` for the dataset's images and classes.

    The spec is built for the dataset's own input shape first (every zoo network adapts
    its first convolution to the channel count). When the network cannot take that size
    (too small for its poolings, or a fixed final pooling), it is built at its own input
    size and the images are adapted (resized, channels converted) if that is sound.

    Raises:
        TrainingError: an entry without a classifier, or images that cannot be adapted.
    """
    from cnnexplorer.core.arch.zoo import registry

    entry = registry.get(arch.key)
    if entry.default_classes is None:
        raise TrainingError(f"{entry.key} is a building block without a classifier; choose a "
                            f"whole network to train")
    if dataset.num_classes < 2:
        raise TrainingError(f"{dataset.name}: needs at least 2 classes to train a classifier; "
                            f"found {dataset.num_classes}")
    binary = dataset.num_classes == 2
    classes = 1 if binary else dataset.num_classes
    data_shape = tuple(dataset.input_shape)
    notes = []
    try:
        network = entry.network(data_shape, classes, arch.options)
        shape = data_shape
    except ConfigError as first:
        shape = tuple(arch.input_shape or entry.default_input)
        if shape == data_shape:
            raise TrainingError(f"{entry.key} cannot take {dataset.name}'s "
                                f"{shape_text(data_shape)} images: {first}") from None
        try:
            notes = adaptation_notes(data_shape, shape)
            network = entry.network(shape, classes, arch.options)
        except (TrainingError, ConfigError) as exc:
            raise TrainingError(f"{entry.key} cannot take {dataset.name}'s "
                                f"{shape_text(data_shape)} images ({first}), and "
                                f"adapting them to {shape_text(shape)}: {exc}") from None
        notes.insert(0, f"{entry.key} does not fit {shape_text(data_shape)} images "
                        f"({first}); built for {shape_text(shape)}")
    notes.append("2 classes: one sigmoid unit, binary cross-entropy" if binary else
                 f"{classes} classes: softmax, sparse categorical cross-entropy")
    model = build_keras_model(network, seed=seed)
    info = {"key": entry.key, "options": dict(arch.options), "input_shape": list(shape),
            "classes": classes}
    return PreparedModel(model, shape, binary, notes, info, network)


def make_optimizer(keras, config, steps_per_epoch: int | None):
    lr = config.learning_rate
    if config.lr_schedule == "cosine" and steps_per_epoch:
        lr = keras.optimizers.schedules.CosineDecay(lr, decay_steps=config.epochs *
                                                    steps_per_epoch)
    elif config.lr_schedule == "step" and steps_per_epoch:
        total = config.epochs * steps_per_epoch
        lr = keras.optimizers.schedules.PiecewiseConstantDecay(
            [max(1, total // 2), max(2, total * 3 // 4)], [lr, lr * 0.1, lr * 0.01])
    if config.optimizer == "sgd":
        return keras.optimizers.SGD(learning_rate=lr, momentum=config.momentum)
    if config.optimizer == "rmsprop":
        return keras.optimizers.RMSprop(learning_rate=lr)
    return keras.optimizers.Adam(learning_rate=lr)


def compile_model(model, config, binary: bool, steps_per_epoch: int | None) -> None:

    keras = import_keras()
    model.compile(optimizer=make_optimizer(keras, config, steps_per_epoch),
                  loss="binary_crossentropy" if binary else "sparse_categorical_crossentropy",
                  metrics=["accuracy"])
