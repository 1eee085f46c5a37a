"""`cnnexplorer evaluate` on grey faces for a colour model and the reverse: the images are
adapted by the one channel rule and the CLI says so once on stderr."""

from __future__ import annotations

import json

import numpy as np
import pytest
from PIL import Image

from cnnexplorer.cli import main


def image_folder(root, mode: str):
    rng = np.random.default_rng(0)
    for cls in ("nosmile", "smile"):
        (root / cls).mkdir(parents=True)
        for i in range(3):
            arr = rng.integers(0, 256, (16, 16, 3), dtype=np.uint8)
            Image.fromarray(arr).convert(mode).save(root / cls / f"{i}.png")
    return root


def sigmoid_model(path, channels: int):
    import keras

    model = keras.Sequential([keras.Input((16, 16, channels)), keras.layers.Flatten(),
                              keras.layers.Dense(1, activation="sigmoid")])
    model.save(path)
    return path


@pytest.mark.parametrize("folder_mode, model_channels, note", [
    ("L", 3, "grayscale images repeated into 3 channels"),
    ("RGB", 1, "colour images converted to grayscale"),
])
def test_channels_are_adapted_and_said_once(tmp_path, capsys, folder_mode, model_channels,
                                             note):
    folder = image_folder(tmp_path / "faces", folder_mode)
    model = sigmoid_model(tmp_path / "m.keras", model_channels)
    assert main(["evaluate", str(model), str(folder), "--json"]) == 0
    out, err = capsys.readouterr()
    assert err.count(note) == 1
    result = json.loads(out)
    assert sum(map(sum, result["confusion_matrix"])) == 6


def test_matching_channels_say_nothing(tmp_path, capsys):
    folder = image_folder(tmp_path / "faces", "RGB")
    model = sigmoid_model(tmp_path / "m.keras", 3)
    assert main(["evaluate", str(model), str(folder)]) == 0
    assert "cnnexplorer evaluate:" not in capsys.readouterr().err
