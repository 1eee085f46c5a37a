"""Where things live: bundled resources, the user's data (runs) and cache (generated sets).

`CNNEXPLORER_HOME`, when set, puts data and cache under one folder (tests and portable use).
"""

from __future__ import annotations

import os
from pathlib import Path

from cnnexplorer.core.errors import ConfigError
from cnnexplorer.core.safe_files import writing

APP_NAME = "cnnexplorer"


def resources_dir() -> Path:
    """The bundled resources: `cnnexplorer/resources` when installed, `resources/` of a checkout.

    setup.py ships the top-level `resources/` folder inside the package; an editable install
    or a plain checkout finds it beside the package instead.
    """
    package = Path(__file__).resolve().parent
    installed = package / "resources"
    if installed.is_dir():
        return installed
    return package.parent / "resources"


def resource(name: str) -> Path:
    return resources_dir() / name


#: the door model shipped in resources/ (its card, the .json, beside it); here, below both the
#: door and training (`--from door`), which each open it
BUNDLED_DOOR_MODEL = "door_model.keras"


def bundled_door_model() -> Path:
    return resource(BUNDLED_DOOR_MODEL)


def home_dir() -> Path | None:
    """The folder `CNNEXPLORER_HOME` names, or None: the one place that reads the variable."""
    home = os.environ.get("CNNEXPLORER_HOME")
    return Path(home) if home else None


def data_dir() -> Path:
    """The user's data directory (saved runs, captures); created on demand."""
    home = home_dir()
    if home is not None:
        path = home / "data"
    else:
        from platformdirs import user_data_dir

        path = Path(user_data_dir(APP_NAME, appauthor=False))
    return _made(path, "data folder")


def cache_dir() -> Path:
    """The cache directory (generated datasets, cached activations); created on demand."""
    home = home_dir()
    if home is not None:
        path = home / "cache"
    else:
        from platformdirs import user_cache_dir

        path = Path(user_cache_dir(APP_NAME, appauthor=False))
    return _made(path, "cache folder")


def runs_dir() -> Path:
    return _made(data_dir() / "runs", "runs folder")


def _made(path: Path, what: str) -> Path:
    """`path`, created if need be; a read-only or full place is our error naming it (and the
    variable that chose it), not an internal error."""
    source = ("CNNEXPLORER_HOME" if home_dir() is not None else
              "XDG_CACHE_HOME" if what == "cache folder" else "XDG_DATA_HOME")
    with writing(path, ConfigError, f"create the {what} (from {source} or the default)"):
        path.mkdir(parents=True, exist_ok=True)
    return path
