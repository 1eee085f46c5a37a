"""The embedded generated datasets: drawn by the project's code on first use, then cached.

`builtin_names()` lists them; `load_builtin(name)` returns a Dataset, generating it (a few
seconds) and caching it as `.npz` under `paths.cache_dir()/datasets/` the first time. The cache
file name carries the generator version and seed: changing a generator means bumping VERSION.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable


from cnnexplorer.core.errors import DatasetError
from cnnexplorer.core.data.generated import digits, happy, signs
from cnnexplorer.core.data.arrays import load_npz
from cnnexplorer.core.data.base import Dataset
from cnnexplorer.core.data.save import save_npz
from cnnexplorer.paths import cache_dir


@dataclass(frozen=True)
class Builtin:
    name: str
    title: str
    description: str
    generate: Callable
    seed: int
    version: int = 1


BUILTINS = {b.name: b for b in (
    Builtin("happy-faces", "Happy faces",
            "64x64x3, 600 train / 150 test, binary: not happy (0) / happy (1), like the "
            "course's Happy House", happy.generate, seed=1, version=3),
    Builtin("hand-signs", "Hand signs",
            "64x64x3, 1080 train / 120 test, 6 classes: 0..5 raised fingers, like the course's "
            "SIGNS", signs.generate, seed=2),
    Builtin("digits", "Digits",
            "32x32x1, 6000 train / 1000 test, 10 classes: font digits with random distortion, "
            "for LeNet-5", digits.generate, seed=3),
)}


def builtin_names() -> list[str]:
    return list(BUILTINS)


def cache_path(name: str) -> Path:
    b = BUILTINS[name]
    return cache_dir() / "datasets" / f"{b.name}-v{b.version}-seed{b.seed}.npz"


def load_builtin(name: str, progress=None):
    """The generated dataset `name`, from the cache or freshly generated (then cached)."""
    if name not in BUILTINS:
        raise DatasetError(f"no built-in dataset named {name!r}; built-in sets are: "
                           f"{', '.join(BUILTINS)}")
    b = BUILTINS[name]
    path = cache_path(name)
    if path.is_file():
        try:
            ds = load_npz(path)
            ds.name, ds.source = name, f"built-in ({path})"
            return ds
        except DatasetError:
            path.unlink(missing_ok=True)  # a damaged cache is regenerated, not reported
    if progress is not None:
        progress(0, 1, f"generating {b.title} (first use)")
    t0 = time.perf_counter()
    x_train, y_train, x_test, y_test, class_names = b.generate(seed=b.seed)
    ds = Dataset(name=name, class_names=class_names, x_train=x_train, y_train=y_train,
                 x_test=x_test, y_test=y_test, source=f"built-in ({path})")
    try:
        save_npz(ds, path, compress=False)  # 30 MB at most; compressing costs seconds
    except OSError:
        pass  # a read-only cache only costs regeneration next time
    if progress is not None:
        progress(1, 1, f"generated {b.title} in {time.perf_counter() - t0:.1f} s")
    return ds
