"""`cnnexplorer train ... --from MODEL [--freeze N]`: fine-tuning from a trained model."""

import json

import numpy as np
import pytest

from cnnexplorer.cli import main


def _npz(path, classes=2, n=48, size=16, channels=1, seed=0):
    rng = np.random.default_rng(seed)
    y = np.arange(n) % classes
    x = (rng.random((n, size, size, channels)) * 60).astype(np.uint8)
    for c in range(classes):
        x[y == c, 4 * c:4 * c + 4] += 150
    np.savez(path, x_train=x[:-8], y_train=y[:-8], x_test=x[-8:], y_test=y[-8:])
    return path


@pytest.fixture
def base_run(tmp_path):
    """A tiny doornet trained for one epoch on 16x16 grey images."""
    data = _npz(tmp_path / "grey.npz")
    out = tmp_path / "base"
    assert main(["train", "doornet", str(data), "--epochs", "1", "--batch-size", "8",
                 "--set", "filters=4", "--out", str(out), "--json"]) == 0
    return out, data


def _final(capsys):
    return json.loads(capsys.readouterr().out.splitlines()[-1])


def test_from_a_run_keeps_frozen_layers_and_says_which_architecture(base_run, tmp_path,
                                                                    capsys):
    from cnnexplorer.core.keras.model_io import load_model

    base_dir, data = base_run
    capsys.readouterr()
    start = load_model(base_dir / "best.keras")
    out = tmp_path / "tuned"
    rc = main(["train", "happymodel", str(data), "--from", str(base_dir), "--freeze", "3",
               "--epochs", "2", "--batch-size", "8", "--lr", "0.01", "--out", str(out)])
    text = capsys.readouterr().out
    assert rc == 0, text
    assert "its own architecture (doornet) is trained, not happymodel" in text
    assert "frozen: the first 3 layers (conv0 .. relu0)" in text
    config = json.loads((out / "config.json").read_text())
    assert config["architecture"]["from"].endswith("best.keras")
    assert config["architecture"]["freeze_layers"] == 3
    tuned = load_model(out / "last.keras")
    assert [l.name for l in tuned.layers] == [l.name for l in start.layers]
    for name in ("conv0", "bn0"):  # frozen: weights and BN statistics unchanged
        for a, b in zip(start.get_layer(name).get_weights(), tuned.get_layer(name).get_weights()):
            np.testing.assert_array_equal(a, b)
    moved = [not np.array_equal(a, b) for a, b in zip(start.get_layer("conv1").get_weights(),
                                                      tuned.get_layer("conv1").get_weights())]
    assert any(moved)  # the first layer after the frozen ones trained


def test_from_door_replaces_the_head_for_more_classes_and_adapts_channels(tmp_path, capsys):
    data = _npz(tmp_path / "colour3.npz", classes=3, n=30, size=32, channels=3)
    out = tmp_path / "door3"
    rc = main(["train", "doornet", str(data), "--from", "door", "--epochs", "1",
               "--batch-size", "8", "--out", str(out), "--json"])
    final = _final(capsys)
    assert rc == 0, final
    from cnnexplorer.core.keras.model_io import load_model

    model = load_model(final["model"])
    assert model.output_shape == (None, 3)
    assert model.input_shape == (None, 64, 64, 1)  # the door's own input; data adapted
    config = json.loads((out / "config.json").read_text())
    notes = " ".join(config["notes"])
    assert "head is replaced by a fresh one for 3 classes" in notes
    assert "colour images converted to grayscale (luminance)" in notes
    assert "images resized from 32x32 to 64x64" in notes
    assert config["architecture"]["from_label"] == "the bundled door model"


@pytest.mark.parametrize("extra,message", [
    (["--freeze", "2"], "--freeze 2 needs --from"),
    (["--from", "{tmp}/nothing.keras"], "--from: {tmp}/nothing.keras: no such model file or run"),
    (["--from", "door", "--freeze", "99"], "--freeze: the layers to freeze must be 0.."),
])
def test_from_errors_are_one_line(extra, message, tmp_path, capsys):
    data = _npz(tmp_path / "d.npz")
    argv = ["train", "doornet", str(data), "--epochs", "1"] + [
        a.format(tmp=tmp_path) for a in extra]
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert message.format(tmp=tmp_path) in err and len(err.splitlines()) == 1


def test_a_fine_tuned_run_is_not_rebuilt_from_the_zoo_on_resume(tmp_path):
    from cnnexplorer.core.errors import ConfigError
    from cnnexplorer.core.train import runs
    from cnnexplorer.core.train.config import TrainConfig
    from cnnexplorer.core.train.resume import resume_plan

    config = {"train": TrainConfig(epochs=3).to_dict(),
              "architecture": {"key": "doornet", "from": "/x/door_model.keras",
                               "from_label": "the bundled door model", "freeze_layers": 0},
              "dataset": {"name": "tiny", "source": "tiny.npz", "fingerprint": "abc"}}
    run = runs.create_run(config, path=tmp_path / "run")
    run.backup_path.mkdir()  # interrupted: resumable
    with pytest.raises(ConfigError, match="fine-tuned from the bundled door model cannot be "
                                          "rebuilt"):
        resume_plan(run.path)
