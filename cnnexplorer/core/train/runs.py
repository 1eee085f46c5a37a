"""Saved training runs: one folder per run under `paths.runs_dir()`.

A run folder holds:
    config.json   hyperparameters, architecture (zoo key, options, input shape), dataset
                  name/fingerprint/classes, the task (binary or k classes), preprocessing
    history.json  one metrics dict per finished epoch
    status.json   running | finished | stopped | failed, a message, epochs run, the pid
    best.keras    the model of the best epoch (validation loss, else training loss)
    last.keras    the model after the last good epoch
    tests.json    the test accuracy of best.keras on each dataset it was tested on (train's
                  final evaluation, Evaluate, `cnnexplorer evaluate RUN DATA`), with the
                  date; absent in a run never tested (and in runs made before it existed)
    backup/       Keras' BackupAndRestore state while training (weights, optimizer, epoch):
                  a killed run restarted with the same command resumes from it; removed
                  when training ends

Every file is written atomically (a temporary file in the same folder, then `os.replace`),
so a crash or a kill mid-write leaves the previous version, never half a file.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from cnnexplorer.core.errors import ConfigError, ModelFileError
from cnnexplorer.core.safe_files import atomic_write_bytes, read_text, writing
from cnnexplorer.core.train.run_lock import pid_alive
from cnnexplorer import paths
from cnnexplorer.core.keras.model_io import clean_stale_temps, export_model, load_model, save_model
from cnnexplorer.core.train.scores import best_epoch

STATUSES = ("running", "finished", "stopped", "failed")


def atomic_write_json(path: Path, obj) -> None:
    atomic_write_bytes(path, json.dumps(obj, indent=1, default=_jsonable).encode())


def _jsonable(value):
    try:
        import numpy as np

        if isinstance(value, np.generic):
            return value.item()
        if isinstance(value, np.ndarray):
            return value.tolist()
    except ImportError:
        pass
    if isinstance(value, (set, tuple)):
        return list(value)
    if isinstance(value, Path):
        return str(value)
    raise TypeError(f"cannot write {type(value).__name__} to JSON")


def _read_json(path: Path, default=None):
    if not os.path.lexists(path):
        return default
    text = read_text(path, ConfigError, what="a JSON file")
    try:
        return json.loads(text)
    except (json.JSONDecodeError, RecursionError) as exc:
        raise ConfigError(f"{path}: not valid JSON ({str(exc)[:200]})") from None


def _checked_history(history, path: Path) -> list[dict]:
    """A history as written: a list of one metrics object per epoch (a tampered file says so)."""
    if not isinstance(history, list) or not all(isinstance(h, dict) for h in history):
        raise ConfigError(f"{path}: not a training history (expected a list of one metrics "
                          f"object per epoch)")
    return history


def _pid_alive(pid) -> bool:
    return pid_alive(pid)


@dataclass
class Run:
    path: Path

    # ----- files
    @property
    def config_path(self) -> Path:
        return self.path / "config.json"

    @property
    def best_model_path(self) -> Path:
        return self.path / "best.keras"

    @property
    def last_model_path(self) -> Path:
        return self.path / "last.keras"

    @property
    def backup_path(self) -> Path:
        return self.path / "backup"

    @property
    def tests_path(self) -> Path:
        return self.path / "tests.json"

    @property
    def name(self) -> str:
        return self.path.name

    def config(self) -> dict:
        return _read_json(self.config_path, {}) or {}

    def history(self) -> list[dict]:
        return _checked_history(_read_json(self.path / "history.json", []) or [],
                                self.path / "history.json")

    def tests(self) -> list[dict]:
        """The test results recorded for best.keras, oldest first (none: an empty list)."""
        tests = _read_json(self.tests_path, []) or []
        if not isinstance(tests, list) or not all(
                isinstance(t, dict) and isinstance(t.get("accuracy"), (int, float))
                for t in tests):
            raise ConfigError(f"{self.tests_path}: not a list of test results (each an "
                              f"object with an accuracy)")
        return tests

    def record_test(self, result, dataset, by: str) -> dict | None:
        """Keep `result` (an EvaluationResult of best.keras on `dataset`) as the run's test
        accuracy on that dataset, replacing an earlier one on the same data; `by` says what
        measured it ("train", "evaluate"). Only a test split is kept: a score on the
        training images of a set without one is no test accuracy. Returns the entry.

        Raises ConfigError when the run folder cannot be written (the callers then say so and
        show the evaluation all the same)."""
        if result.split != "test":
            return None
        best = best_epoch(self.history())
        # the epoch best.keras held: a later Continue that finds a better epoch makes this
        # result stale (core/train/run_accuracy.py then no longer quotes it)
        entry = {"dataset": dataset.name, "fingerprint": dataset.fingerprint,
                 "split": result.split, "images": result.images,
                 "accuracy": float(result.accuracy), "loss": float(result.loss),
                 "model": "best", "best_epoch": best.epoch if best else None, "by": by,
                 "date": time.strftime("%Y-%m-%dT%H:%M:%S")}
        try:
            kept = [t for t in self.tests() if t.get("fingerprint") != dataset.fingerprint]
        except ConfigError:
            kept = []  # a damaged record is replaced by the new measurement
        with writing(self.tests_path, ConfigError, "record the test accuracy in"):
            atomic_write_json(self.tests_path, kept + [entry])
        return entry

    def status(self) -> dict:
        """Status as written, except a "running" run whose process is gone reads "stopped"."""
        st = _read_json(self.path / "status.json", {}) or {}
        if st.get("status") == "running" and st.get("pid") != os.getpid() \
                and not pid_alive(st.get("pid")):
            st = {**st, "status": "stopped",
                  "message": "interrupted: the program ended during training"}
        return st

    # ----- writing
    def write_config(self, config: dict) -> None:
        atomic_write_json(self.config_path, config)

    def set_status(self, status: str, message: str = "", epochs_run: int | None = None) -> None:
        if status not in STATUSES:
            raise ConfigError(f"run status must be one of {', '.join(STATUSES)}; "
                              f"received {status!r}")
        if epochs_run is None:
            epochs_run = len(self.history())
        atomic_write_json(self.path / "status.json", {
            "status": status, "message": message, "epochs_run": epochs_run,
            "updated": time.strftime("%Y-%m-%dT%H:%M:%S"), "pid": os.getpid()})

    def write_history(self, history: list[dict]) -> None:
        atomic_write_json(self.path / "history.json", history)

    def backup_history(self) -> list[dict]:
        """The history as of the backup (may run one epoch ahead of its weights)."""
        return _checked_history(_read_json(self.backup_path / "history.json", []) or [],
                                self.backup_path / "history.json")

    def write_backup_history(self, history: list[dict]) -> None:
        atomic_write_json(self.backup_path / "history.json", history)

    def save_model(self, model, which: str = "last") -> Path:
        target = {"best": self.best_model_path, "last": self.last_model_path}.get(which)
        if target is None:
            raise ConfigError(f"which model: 'best' or 'last'; received {which!r}")
        return save_model(model, target)

    # ----- reading models, export, delete
    def model_path(self, which: str = "best") -> Path:
        order = {"best": (self.best_model_path, self.last_model_path),
                 "last": (self.last_model_path, self.best_model_path)}.get(which)
        if order is None:
            raise ConfigError(f"which model: 'best' or 'last'; received {which!r}")
        for p in order:
            if p.is_file():
                return p
        raise ModelFileError(f"{self.path}: the run has no saved model yet")

    def load_model(self, which: str = "best", compile: bool = False):
        return load_model(self.model_path(which), compile=compile)

    def export(self, dest, fmt: str | None = None, which: str = "best") -> Path:
        return export_model(self.load_model(which), dest, fmt)

    def delete(self) -> None:
        if self.status().get("status") == "running":
            raise ConfigError(f"{self.path}: the run is still training; stop it first")
        shutil.rmtree(self.path)

    def summary(self) -> dict:
        """The run in a few fields; `accuracy`/`val_accuracy` are the last epoch's, `best`
        the epoch best.keras holds (core/train/scores.py: which figure is quoted where)."""
        cfg, st, hist = self.config(), self.status(), self.history()
        last = hist[-1] if hist else {}
        return {"run_dir": str(self.path), "name": self.name,
                "architecture": cfg.get("architecture", {}).get("key", "?"),
                "dataset": cfg.get("dataset", {}).get("name", "?"),
                "created": cfg.get("created", ""), "status": st.get("status", "?"),
                "message": st.get("message", ""), "epochs_run": len(hist),
                "accuracy": last.get("accuracy"), "val_accuracy": last.get("val_accuracy"),
                "best": best_epoch(hist)}


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", text).strip("-")[:40] or "run"


def create_run(config: dict, root=None, name: str | None = None, path=None) -> Run:
    """A new run folder (unique name: date-time, architecture, dataset) with its config."""
    if path is None and root is None:
        root = paths.runs_dir()  # names its own folder when it cannot be made
    with writing(path or root, ConfigError, "create the run folder in"
                 if path is None else "create the run folder"):
        return _create_run(config, root, name, path)


def _create_run(config: dict, root, name, path) -> Run:
    if path is not None:
        folder = Path(path)
        if folder.exists() and not folder.is_dir():
            raise ConfigError(f"{folder}: exists and is a file, not a folder; choose another "
                              f"--out")
        if folder.exists() and any(folder.iterdir()):
            raise ConfigError(f"{folder}: the run folder exists and is not empty; choose "
                              f"another --out or delete it")
        folder.mkdir(parents=True, exist_ok=True)
    else:
        root = Path(root) if root is not None else paths.runs_dir()
        root.mkdir(parents=True, exist_ok=True)
        base = time.strftime("%Y%m%d-%H%M%S") + "_" + _slug(name or "run")
        folder = root / base
        n = 1
        while True:
            try:
                folder.mkdir()
                break
            except FileExistsError:
                n += 1
                folder = root / f"{base}-{n}"
    run = Run(folder)
    run.write_config({**config, "created": time.strftime("%Y-%m-%dT%H:%M:%S")})
    run.write_history([])
    run.set_status("running", "created", 0)
    return run


def resumable(path) -> bool:
    """A run that was interrupted (killed, or failed during fit) and can go on: it holds a
    backup, or it still reads "running" (as written) while its process is gone."""
    run = Run(Path(path))
    if not run.config_path.is_file():
        return False
    if run.backup_path.is_dir():
        return True
    written = _read_json(run.path / "status.json", {}) or {}
    return written.get("status") == "running" and run.status().get("status") == "stopped"


def check_same_run(run: Run, config: dict) -> None:
    """Refuse to resume `run` with other settings, another model or other data: its backup
    holds the state of the run as it was started.

    Raises:
        ConfigError: naming what differs.
    """
    saved = run.config()
    # the distribution may change (a multi-worker run resumed on one machine): the backup
    # holds the model at an epoch boundary whatever the replicas; and the epochs in all
    # (`--epochs`: a total of at least the epochs done, which the restore checks)
    keys = (set(saved.get("train", {})) | set(config["train"])) - {"distribute", "epochs"}
    differs = [f"train.{k}" for k in sorted(keys)
               if saved.get("train", {}).get(k) != config["train"].get(k)]
    for section, key in (("architecture", "key"), ("architecture", "options"),
                         ("dataset", "fingerprint")):
        if saved.get(section, {}).get(key) != config[section].get(key):
            differs.append(f"{section}.{key}")
    if differs:
        raise ConfigError(f"{run.path}: an interrupted run with other settings "
                          f"({', '.join(differs)} differ); resume it with its own settings "
                          f"(train --resume {run.path}) or choose another --out")


def open_run(path) -> Run:
    path = Path(path)
    if not (path / "config.json").is_file():
        raise ConfigError(f"{path}: not a training run (no config.json)")
    clean_stale_temps(path, run_folder=True)  # what a killed save left
    return Run(path)


def list_runs(root=None) -> list[Run]:
    """Saved runs, oldest first; folders that are not runs are ignored."""
    root = Path(root) if root is not None else paths.runs_dir()
    if not root.is_dir():
        return []

    runs = [Run(p) for p in sorted(root.iterdir()) if (p / "config.json").is_file()]
    for run in runs:
        clean_stale_temps(run.path, run_folder=True)  # what a kill left
    return runs
