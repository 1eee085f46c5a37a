"""Fine-tuning: start a run from a trained model's weights instead of random ones.

    prepared = from_model("door", dataset, freeze=3, arch="happymodel")
    train(prepared, dataset, config)

The notes' lesson for small data: a network that already learned faces needs far fewer
images to learn a new face task than one that starts from nothing.

Which architecture trains: the starting model's own. Its weights only fit its own layers, so
`--from` never rebuilds the ARCH named on the command line around them; when ARCH names
another architecture a note says that the starting model's architecture is used instead.
When the starting model's output does not fit the dataset's classes, its last Dense layer is
replaced by a fresh one (as transfer learning does) and a note says so; otherwise the whole
model, head included, carries on from its weights.

`freeze` counts layers from the input (the input layer itself not counted): the first N keep
their weights, and frozen BatchNormalization layers keep their statistics (Keras runs a
non-trainable BN in inference mode).
"""

from __future__ import annotations

import json
from pathlib import Path

from cnnexplorer.core.errors import TrainingError
from cnnexplorer.core.keras.model_setup import PreparedModel
from cnnexplorer.core.data.adapt import adaptation_notes
from cnnexplorer.paths import bundled_door_model
from cnnexplorer.core.keras.model_io import load_model, model_task

#: the name `--from` takes for the model bundled with the Happy door
DOOR = "door"


def resolve_start(source) -> tuple[Path, str, str | None]:
    """`source` ("door", a run folder, or a model file) -> (model file, label, zoo key or None).

    Raises:
        TrainingError: nothing usable at `source` (the message names it).
    """
    text = str(source).strip()
    if text.lower() in (DOOR, "bundled", "the door model"):
        path = bundled_door_model()
        if not path.is_file():
            raise TrainingError(f"{path}: the bundled door model is missing; regenerate it "
                                f"with `python -m cnnexplorer.tools.make_door_model`")
        meta = path.with_suffix(".json")
        key = None
        if meta.is_file():
            key = json.loads(meta.read_text("utf-8")).get("architecture")
        return path, "the bundled door model", key
    path = Path(text).expanduser()
    if path.is_dir():
        from cnnexplorer.core.train.runs import open_run

        try:
            run = open_run(path)
            model_path = run.model_path("best")
        except Exception as exc:  # noqa: BLE001 - any failure means "not a run folder"
            raise TrainingError(f"{path}: not a training run with a saved model ({exc})") \
                from None
        key = run.config().get("architecture", {}).get("key")
        return Path(model_path), f"run {run.name}", key if key != "transfer" else None
    if not path.exists():
        raise TrainingError(f"{text}: no such model file or run folder to start from (or "
                            f"'door' for the bundled door model)", setting="start_from")
    return path, path.name, None


def judges_faces(source) -> bool:
    """Whether the model at `source` judges faces: the bundled door model, or a model trained
    from one (its run's config.json says `"judges_faces": true` under "architecture"; a model
    file inside such a run folder counts too). Such a model learned from face crops, so the
    images it trains on, is evaluated on and judges are first cut to their face
    (core.door.face_data)."""
    text = str(source).strip()
    if text.lower() in (DOOR, "bundled", "the door model"):
        return True
    path = Path(text).expanduser()
    folder = path if path.is_dir() else path.parent
    if not (folder / "config.json").is_file():
        return False
    from cnnexplorer.core.train.runs import open_run

    try:
        info = open_run(folder).config().get("architecture", {})
    except Exception:  # noqa: BLE001 - not a readable run: nothing says it judges faces
        return False
    return bool(isinstance(info, dict) and info.get("judges_faces"))


def freeze_layers(model, count: int) -> list[str]:
    """Make the first `count` layers (input layer not counted) non-trainable; return their
    names.

    Raises:
        TrainingError: `count` outside 0..(layers - 1): at least the last layer must train.
    """
    layers = [layer for layer in model.layers if type(layer).__name__ != "InputLayer"]
    if not isinstance(count, int) or isinstance(count, bool) or not 0 <= count < len(layers):
        raise TrainingError(f"the layers to freeze must be 0..{len(layers) - 1} for "
                            f"{model.name!r} ({len(layers)} layers; the last one must train); "
                            f"received {count!r}", setting="freeze")
    for layer in layers[:count]:
        layer.trainable = False
    return [layer.name for layer in layers[:count]]


def from_model(source, dataset, freeze: int = 0, arch: str | None = None,
               seed: int = 0) -> PreparedModel:
    """A PreparedModel that starts from `source`'s weights, for training on `dataset`.

    Args:
        source: "door" (the bundled door model), a run folder (its best model) or a
            .keras/.h5 file.
        freeze: the number of leading layers kept fixed.
        arch: the architecture the user named, only to say when it is not the one used.
    Raises:
        TrainingError / ModelFileError: no such model, a model without a Dense head to
            replace, or a bad freeze count.
    """
    path, label, source_key = resolve_start(source)
    base = load_model(path)
    _, classes, _ = model_task(base)
    binary = dataset.num_classes == 2
    notes = []
    if arch is not None:
        from cnnexplorer.core.arch.zoo import registry

        wanted = registry.get(arch).key
        if wanted != source_key:
            used = source_key or f"the model {base.name!r}"
            notes.append(f"starting from {label}: its own architecture ({used}) is trained, "
                         f"not {wanted}: the weights fit only the layers they were trained in")
    if classes == dataset.num_classes:
        model = base
        notes.append(f"fine-tuning {label} ({path.name}), head included")
    else:
        from cnnexplorer.core.train.transfer import build_transfer_model

        model = build_transfer_model(base, dataset, 0, seed=seed, source=label).prepared.model
        notes.append(f"fine-tuning {label} ({path.name}); its {classes}-class head is "
                     f"replaced by a fresh one for {dataset.num_classes} classes")
    frozen = freeze_layers(model, freeze)
    if frozen:
        notes.append(f"frozen: the first {len(frozen)} layers ({frozen[0]} .. {frozen[-1]})")
    notes.append("2 classes: one sigmoid unit, binary cross-entropy" if binary else
                 f"{dataset.num_classes} classes: softmax, sparse categorical cross-entropy")
    shape = tuple(int(d) for d in model.input_shape[1:])
    notes += adaptation_notes(tuple(dataset.input_shape), shape)  # refuses unsound ones
    info = {"key": source_key or "model file", "from": str(path), "from_label": label,
            "freeze_layers": freeze, "input_shape": list(shape),
            "classes": 1 if binary else dataset.num_classes,
            # a model started from a face judge judges faces too: marked in the run's
            # config.json, so training, evaluation and prediction from it crop faces
            "judges_faces": judges_faces(source)}
    if arch is not None:
        info["requested"] = arch
    return PreparedModel(model, shape, binary, notes, info, None)
