"""`train --resume RUN_DIR`: what an interrupted run trains, read back from its config.json.

The engine resumes any interrupted run it is pointed at (`train(..., out=RUN_DIR)`): Keras'
BackupAndRestore restores the weights, the optimizer and the epoch from the run's backup
folder. This module only finds the architecture, the dataset and the settings again, so the
user need not repeat the command line.
"""

from __future__ import annotations

from cnnexplorer.core.errors import ConfigError
from cnnexplorer.core.train import runs
from cnnexplorer.core.data import builtin_names


def resume_plan(run_dir) -> tuple[str, dict, dict, str, tuple | None]:
    """(architecture key, its options, training settings, dataset spec, image size).

    Raises:
        ConfigError: not a run, a run that is not interrupted, or one whose dataset cannot
            be found again (a transfer model, a dataset without a source).
    """
    run = runs.open_run(run_dir)
    if not runs.resumable(run.path):
        status = run.status().get("status", "?")
        raise ConfigError(f"{run.path}: nothing to resume (the run is {status} and holds no "
                          f"backup); continue it from the Training panel instead")
    cfg = run.config()
    arch, data = cfg.get("architecture", {}), cfg.get("dataset", {})
    key = arch.get("key")
    if key in (None, "transfer"):
        raise ConfigError(f"{run.path}: a {key or 'unknown'} model cannot be rebuilt from "
                          f"config.json; resume it from the Training panel")
    if arch.get("from"):  # `train --from`: its layers are the starting model's, not the zoo's
        start = arch.get("from_label") or arch["from"]
        raise ConfigError(f"{run.path}: a model fine-tuned from {start} cannot be rebuilt "
                          f"from config.json; continue it from the Training panel")

    name, source = data.get("name"), data.get("source")
    spec = name if name in builtin_names() else source
    if not spec:
        raise ConfigError(f"{run.path}: config.json names no dataset file for {name!r}")
    shape = data.get("input_shape") or []
    size = tuple(shape[:2]) if len(shape) >= 2 else None
    return key, dict(arch.get("options") or {}), dict(cfg.get("train", {})), spec, size
