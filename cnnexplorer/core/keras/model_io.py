"""Opening, saving and exporting Keras models safely (no Qt; Keras imported lazily).

Every load goes through `load_model`, which keeps Keras' `safe_mode=True` (a model file that
carries Python code, such as a `Lambda` layer, is refused rather than executed) and turns
Keras' assorted exceptions into one `ModelFileError` that names the file and the problem.
Saves are atomic: the model is written to a temporary file beside the target, then renamed
over it, so a crash mid-write never replaces a good model with half a file.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
import time
import zipfile
from pathlib import Path

from cnnexplorer.core.errors import ModelFileError
from cnnexplorer.core.file_kinds import MODEL_SUFFIXES
from cnnexplorer.core.safe_files import (
    MAX_ARRAY_BYTES,
    MAX_TEXT_BYTES,
    atomic_path,
    check_hdf5_self_contained,
    check_regular,
    check_zip,
    open_regular,
)
from cnnexplorer.core.keras.build import import_keras, lrn_class
from cnnexplorer.core.keras.declared_size import check_declared_weights

#: formats `export_model` writes
EXPORT_FORMATS = ("keras", "h5", "savedmodel", "tflite")

_HDF5_SIGNATURE = b"\x89HDF\r\n\x1a\n"
#: the JSON members of a .keras archive are small: a 2 MB file must not unpack 2 GiB of them
KERAS_JSON_MEMBERS = {"config.json": MAX_TEXT_BYTES, "metadata.json": MAX_TEXT_BYTES}
#: a temporary model file left by a save that was killed: .<stem>.<pid>.<random>.tmp<suffix>
_TEMP_GLOB = ".*.tmp"


def is_model_path(text) -> bool:
    """True when `text` names a model file by its suffix (tells a path from a zoo key)."""
    return str(text).lower().endswith(MODEL_SUFFIXES)


def _register_custom_layers() -> None:
    """Make the project's own serializable layers known before deserializing."""
    lrn_class()


def check_model_file(path: Path) -> str:
    """Refuse what is obviously not a model before Keras sees it; returns the suffix."""
    try:
        os.stat(path)
    except FileNotFoundError:
        raise ModelFileError(f"{path}: no such model file") from None
    except (OSError, ValueError):
        check_regular(path, ModelFileError, what="a model file")  # says why
        raise
    if path.is_dir():
        raise ModelFileError(f"{path}: is a folder; expected a .keras or .h5 model file "
                             f"(a SavedModel folder can be served but not reopened here)")
    suffix = path.suffix.lower()
    if suffix not in MODEL_SUFFIXES:
        raise ModelFileError(f"{path}: unknown model file type {path.suffix or '(none)'!r}; "
                             f"expected one of {', '.join(MODEL_SUFFIXES)}")
    with open_regular(path, ModelFileError, what="a model file") as fh:
        head = fh.read(8)
    if suffix == ".keras":
        if not zipfile.is_zipfile(path):
            kind = "an HDF5 file (rename it to .h5)" if head == _HDF5_SIGNATURE else \
                "not a zip archive"
            raise ModelFileError(f"{path}: not a Keras model file: a .keras file is a zip "
                                 f"archive and this is {kind} (truncated or another format?)")
        # sizes and ratios from the zip directory, before anything is decompressed
        sizes = {info.filename: info.file_size for info in check_zip(
            path, ModelFileError, member_limits=KERAS_JSON_MEMBERS, max_total=MAX_ARRAY_BYTES,
            what="Keras model archive")}
        try:
            with zipfile.ZipFile(path) as zf:
                bad = zf.testzip()
                config_text = zf.read("config.json") if "config.json" in sizes else None
        except (zipfile.BadZipFile, OSError) as exc:
            raise ModelFileError(f"{path}: damaged .keras archive ({exc})") from None
        if bad is not None:
            raise ModelFileError(f"{path}: damaged .keras archive (member {bad!r} is corrupt)")
        if config_text is None:
            raise ModelFileError(f"{path}: zip archive without config.json: not a Keras model")
        # Keras builds every declared layer before reading a weight: count them first
        # weights are in model.weights.h5 (or .npz): count every member but the JSON ones
        stored = sum(size for member, size in sizes.items() if member not in KERAS_JSON_MEMBERS)
        check_declared_weights(_config_json(config_text, path, "config.json"), stored, str(path))
    else:
        if head != _HDF5_SIGNATURE:
            raise ModelFileError(f"{path}: not an HDF5 file (wrong signature); expected a "
                                 f"Keras .h5 model")
        import h5py

        try:
            with h5py.File(path, "r") as f:
                # external links, external storage, virtual datasets: Keras would read
                # whatever file or device they name
                check_hdf5_self_contained(f, str(path), ModelFileError)
                has_config = "model_config" in f.attrs
                config_text = f.attrs["model_config"] if has_config else None
                keys = list(f.keys())
        except ModelFileError:
            raise
        except (OSError, RuntimeError, KeyError, ValueError, TypeError) as exc:
            raise ModelFileError(f"{path}: cannot read the HDF5 file ({exc})") from None
        if has_config:
            check_declared_weights(_config_json(config_text, path, "model_config"),
                                   path.stat().st_size, str(path))
        if not has_config:
            what = "weights only" if "model_weights" in keys or keys and all(
                k.startswith(("conv", "bn", "dense", "fc")) for k in keys) else \
                f"keys {keys[:6]}"
            raise ModelFileError(f"{path}: HDF5 file without a model configuration ({what}); "
                                 f"expected a whole model saved by Keras (model.save)")
    return suffix


def _config_json(text, path: Path, what: str):
    """A model configuration's JSON (bytes, str or h5py's numpy string), or a ModelFileError."""
    if hasattr(text, "tobytes") and not isinstance(text, (bytes, str)):
        text = text.tobytes()
    try:
        return json.loads(text)
    except (ValueError, TypeError, RecursionError) as exc:
        raise ModelFileError(f"{path}: the model's {what} is not JSON ({str(exc)[:200]})") \
            from None


def load_model(path, compile: bool = False):
    """Open a `.keras` or `.h5` model in Keras' safe mode.

    Args:
        path: the model file.
        compile: also restore the optimizer and loss (only useful to continue training).

    Raises:
        ModelFileError: missing, empty, truncated or foreign file; a model with a `Lambda`
            layer (Python code, refused in safe mode); any other failure to deserialize.
    """
    path = Path(path)
    check_model_file(path)

    keras = import_keras()
    _register_custom_layers()
    try:
        model = keras.models.load_model(path, compile=compile, safe_mode=True)
    except Exception as exc:  # noqa: BLE001 - Keras raises ValueError, TypeError, OSError, KeyError...
        text = str(exc)
        if "Lambda" in text and "safe_mode" in text:
            raise ModelFileError(f"{path}: contains a Lambda layer (arbitrary Python code); "
                                 f"refused in safe mode: rebuild the model without Lambda "
                                 f"layers") from None
        if "Unknown layer" in text or "Could not locate class" in text:
            first = text.strip().splitlines()[0][:200]
            raise ModelFileError(f"{path}: uses a layer this program does not know "
                                 f"({first})") from None
        first = text.strip().splitlines()[0][:200] if text.strip() else type(exc).__name__
        raise ModelFileError(f"{path}: cannot load the model ({type(exc).__name__}: "
                             f"{first})") from None
    if not hasattr(model, "predict"):
        raise ModelFileError(f"{path}: holds a {type(model).__name__}, not a Keras model")
    return model


#: a temporary file without a pid (written before pids were named) counts as stale after this
STALE_TEMP_AGE_S = 3600


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return True
    return True


def _temp_writer_pid(name: str, plain_tmp: bool) -> tuple[bool, int | None]:
    """(is one of our temporary files, the writer's pid when the name carries one).

    Models: `.<stem>.<pid>.<random>.tmp<suffix>`; with `plain_tmp`, also the JSON and other
    atomic writes of a run folder: `.<name>.<pid>.<random>.tmp`. `random` is tempfile's eight
    characters. Names written before pids were added have none.
    """
    if not name.startswith("."):
        return False, None
    parts = name.split(".")  # '', stem..., [pid], random, 'tmp'[, suffix]
    if parts[-1] == "tmp" and plain_tmp:
        at = -3
    elif parts[-2:-1] == ["tmp"] and "." + parts[-1].lower() in MODEL_SUFFIXES + (".tflite",):
        at = -4
    else:
        return False, None
    if len(parts) < 1 - at or not re.fullmatch(r"[a-z0-9_]{8}", parts[at + 1]):
        return False, None
    pid = parts[at] if len(parts) >= 2 - at and parts[at].isdigit() else None
    return True, None if pid is None else int(pid)


def clean_stale_temps(folder, run_folder: bool = False) -> list[Path]:
    """Delete the temporary files a killed write left in `folder`; returns them.

    Every save writes a temporary file beside its target and renames it; a kill -9 between
    the two leaves it behind. One whose writer is gone (or, for a name without a pid, older
    than an hour) is deleted; one still being written by a live process is kept. Model
    temporaries anywhere; with `run_folder`, also the run's JSON temporaries.
    """
    removed: list = []
    try:
        entries = list(Path(folder).iterdir())
    except OSError:
        return removed
    for path in entries:
        ours, pid = _temp_writer_pid(path.name, run_folder)
        if not ours:
            continue
        try:
            stale = (not _pid_alive(pid)) if pid is not None else \
                time.time() - path.lstat().st_mtime > STALE_TEMP_AGE_S
            if stale and path.is_file():
                path.unlink()
                removed.append(path)
        except OSError:
            continue
    return removed


def save_model(model, path) -> Path:
    """Save atomically as `.keras` (native) or `.h5` (legacy, what the course used).

    The model is written to a temporary file in the same folder and renamed over `path`
    only once complete, so an interrupted save leaves the previous file untouched.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in MODEL_SUFFIXES:
        raise ModelFileError(f"{path}: cannot save as {path.suffix or '(no suffix)'!r}; use "
                             f"one of {', '.join(MODEL_SUFFIXES)}")
    path.parent.mkdir(parents=True, exist_ok=True)
    clean_stale_temps(path.parent)
    with atomic_path(path, suffix) as tmp:
        model.save(tmp)
    return path


def _export_savedmodel(model, dest: Path) -> Path:
    tmp = Path(tempfile.mkdtemp(prefix=f".{dest.name}.", dir=dest.parent))
    try:
        shutil.rmtree(tmp)
        model.export(str(tmp), format="tf_saved_model", verbose=False)
        if dest.exists():
            old = dest.with_name(dest.name + ".old")
            shutil.rmtree(old, ignore_errors=True)
            os.replace(dest, old)
            os.replace(tmp, dest)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(tmp, dest)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return dest


def _export_tflite(model, dest: Path) -> Path:
    import tensorflow as tf

    try:
        converter = tf.lite.TFLiteConverter.from_keras_model(model)
        data = converter.convert()
    except Exception as exc:  # noqa: BLE001 - the converter's errors have no common base
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:200]
        raise ModelFileError(f"{dest}: the TFLite converter cannot convert this model "
                             f"({first})") from None
    with atomic_path(dest, ".tflite") as tmp:
        tmp.write_bytes(data)
    return dest


def export_model(model, dest, fmt: str | None = None) -> Path:
    """Export a model: `keras`, `h5`, `savedmodel` (a folder, for TF Serving) or `tflite`.

    Args:
        fmt: the format; None guesses it from `dest`'s suffix (a suffix-less path is a
            SavedModel folder).
    """
    dest = Path(dest)
    if fmt is None:
        fmt = {".keras": "keras", ".h5": "h5", ".hdf5": "h5", ".tflite": "tflite",
               "": "savedmodel"}.get(dest.suffix.lower())
        if fmt is None:
            raise ModelFileError(f"{dest}: cannot tell the export format from "
                                 f"{dest.suffix!r}; choose one of {', '.join(EXPORT_FORMATS)}")
    fmt = fmt.lower()
    if fmt not in EXPORT_FORMATS:
        raise ModelFileError(f"unknown export format {fmt!r}; choose one of "
                             f"{', '.join(EXPORT_FORMATS)}")
    dest.parent.mkdir(parents=True, exist_ok=True)
    if fmt in ("keras", "h5"):
        want = ".keras" if fmt == "keras" else ".h5"
        if dest.suffix.lower() not in ((".keras",) if fmt == "keras" else (".h5", ".hdf5")):
            dest = dest.with_suffix(want)
        return save_model(model, dest)
    if fmt == "savedmodel":
        return _export_savedmodel(model, dest)
    if dest.suffix.lower() != ".tflite":
        dest = dest.with_suffix(".tflite")
    return _export_tflite(model, dest)


def model_task(model) -> tuple[tuple[int, ...], int, bool]:
    """(input shape without batch, number of classes, binary?) read from a model's ends.

    A single sigmoid unit is a binary task with 2 classes; a softmax over k units, k classes.
    """
    shape = tuple(model.input_shape[1:])
    out = model.output_shape
    if isinstance(out, list):
        raise ModelFileError(f"model {model.name!r} has {len(out)} outputs; only "
                             f"single-output classifiers are supported")
    units = out[-1] if out[-1] is not None else 1
    binary = units == 1
    return shape, (2 if binary else int(units)), binary
