"""`cnnexplorer evaluate A B DATA --crops N`: each model alone, the ensemble and the crops, with
the time per image of each; models with different classes are refused with exit code 2."""

from __future__ import annotations

import json

import numpy as np

from cnnexplorer.cli import main


def saved_model(path, classes: int, seed: int):
    import keras

    keras.utils.set_random_seed(seed)
    inputs = keras.Input((16, 16, 3))
    x = keras.layers.GlobalAveragePooling2D()(keras.layers.Conv2D(2, 3)(inputs))
    outputs = (keras.layers.Dense(1, activation="sigmoid")(x) if classes == 2
               else keras.layers.Dense(classes, activation="softmax")(x))
    keras.Model(inputs, outputs).save(path)
    return str(path)


def npz_dataset(path, n: int = 8):
    rng = np.random.default_rng(0)
    np.savez(path, x_train=rng.integers(0, 256, (n, 16, 16, 3), dtype=np.uint8),
             y_train=np.arange(n) % 2)
    return str(path)


def test_ensemble_and_ten_crops_in_one_table(tmp_path, capsys):
    a = saved_model(tmp_path / "a.keras", 2, 0)
    b = saved_model(tmp_path / "b.keras", 2, 1)
    data = npz_dataset(tmp_path / "d.npz")
    assert main(["evaluate", a, b, data, "--crops", "10", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    rows = {r["label"]: r for r in result["rows"]}
    assert list(rows) == ["a.keras", "b.keras", "ensemble of 2", "a.keras, 10 crops",
                          "b.keras, 10 crops", "ensemble of 2, 10 crops"]
    assert rows["ensemble of 2, 10 crops"]["passes_per_image"] == 20
    assert all(r["ms_per_image"] > 0 for r in rows.values())
    assert result["images"] == 8 and result["crops"] == 10

    assert main(["evaluate", a, data, "--crops", "2"]) == 0
    text = capsys.readouterr().out
    assert "a.keras, 2 crops" in text and "ms/image" in text and "best:" in text


def test_models_with_different_classes_are_refused(tmp_path, capsys):
    a = saved_model(tmp_path / "a.keras", 2, 0)
    c = saved_model(tmp_path / "c.keras", 3, 0)
    data = npz_dataset(tmp_path / "d.npz")
    assert main(["evaluate", a, c, data]) == 2
    err = capsys.readouterr().err
    assert "c.keras predicts 3 classes and a.keras 2" in err


def test_a_crop_count_not_offered_exits_2(tmp_path, capsys):
    a = saved_model(tmp_path / "a.keras", 2, 0)
    data = npz_dataset(tmp_path / "d.npz")
    assert main(["evaluate", a, data, "--crops", "5"]) == 2
    assert "one of 1, 2, 10; received 5" in capsys.readouterr().err
