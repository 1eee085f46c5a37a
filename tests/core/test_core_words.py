"""The core speaks neither HTML nor command-line flags: a front end words its own.

A core error names the setting at fault as data (`CnnExplorerError.setting`); the CLI points at
its flag, the GUI at its form.
"""

import re
from pathlib import Path
from types import SimpleNamespace

import pytest

from cnnexplorer.cli import SETTING_FLAGS, _worded
from cnnexplorer.core.errors import TrainingError
from cnnexplorer.core.train.fine_tune import freeze_layers, resolve_start


def _layers(n):
    return SimpleNamespace(name="m", layers=[SimpleNamespace(trainable=True) for _ in range(n)])


def test_a_bad_freeze_names_the_setting_not_the_flag():
    with pytest.raises(TrainingError) as caught:
        freeze_layers(_layers(4), 9)
    assert caught.value.setting == "freeze" and "--" not in str(caught.value)
    assert _worded(caught.value).startswith("--freeze: the layers to freeze must be 0..3")


def test_a_missing_start_names_the_setting_not_the_flag(tmp_path):
    with pytest.raises(TrainingError) as caught:
        resolve_start(tmp_path / "nothing.keras")
    assert caught.value.setting == "start_from" and "--" not in str(caught.value)
    assert _worded(caught.value).startswith("--from: ")


def test_every_setting_a_core_error_names_has_a_flag():
    core = Path(__file__).resolve().parents[2] / "cnnexplorer" / "core"
    named = {m for p in core.rglob("*.py")
             for m in re.findall(r'setting="(\w+)"', p.read_text(encoding="utf-8"))}
    assert named and named <= set(SETTING_FLAGS)
