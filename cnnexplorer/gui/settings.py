"""The application's QSettings: an INI file under CNNEXPLORER_HOME when set, else the user's.

Tests set CNNEXPLORER_HOME per test, so they never read or write the user's settings.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSettings

from cnnexplorer.paths import home_dir

ORGANIZATION = "cnnexplorer"
APPLICATION = "cnnexplorer"


def settings_path() -> Path | None:
    """The INI file used when CNNEXPLORER_HOME is set, else None (the platform's store)."""
    home = home_dir()
    return home / "settings.ini" if home is not None else None


def app_settings() -> QSettings:
    """A QSettings for this app; read it, write it, let it go (Qt syncs on destruction)."""
    path = settings_path()
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        return QSettings(str(path), QSettings.Format.IniFormat)
    return QSettings(QSettings.Format.IniFormat, QSettings.Scope.UserScope,
                     ORGANIZATION, APPLICATION)


def read_json(key: str, default: Any = None) -> Any:
    """A JSON value stored as text; a damaged value gives the default (never an exception)."""
    raw = app_settings().value(key)
    if raw is None:
        return default
    try:
        return json.loads(str(raw))
    except (TypeError, ValueError):
        return default


def write_json(key: str, value: Any) -> None:
    s = app_settings()
    s.setValue(key, json.dumps(value))
    s.sync()


def read_int(key: str, default: int) -> int:
    raw = app_settings().value(key)
    try:
        return int(raw)
    except (TypeError, ValueError):
        return default


def read_bool(key: str, default: bool) -> bool:
    raw = app_settings().value(key)
    if raw is None:
        return default
    return str(raw).lower() in ("1", "true", "yes", "on")
