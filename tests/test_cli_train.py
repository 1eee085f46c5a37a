"""`cnnexplorer train` / `evaluate` end to end on a tiny .npz dataset (in-process)."""

import json

import numpy as np
import pytest

from cnnexplorer.cli import main


@pytest.fixture
def npz(tmp_path):
    rng = np.random.default_rng(0)
    y = rng.integers(0, 3, 150)
    x = (rng.random((150, 12, 12, 3)) * 60).astype(np.uint8)
    for c in range(3):
        x[y == c, :, 4 * c:4 * c + 4, :] += 160
    path = tmp_path / "bars.npz"
    np.savez(path, x_train=x[:120], y_train=y[:120], x_test=x[120:], y_test=y[120:])
    return path


def test_train_json_then_evaluate(npz, tmp_path, capsys):
    out = tmp_path / "run"
    rc = main(["train", "happymodel", str(npz), "--epochs", "2", "--batch-size", "16",
               "--lr", "0.01", "--set", "filters=4", "--set", "kernel=3", "--out", str(out),
               "--json"])
    refuse = lambda token: pytest.fail(f"not strict JSON: {token}")  # noqa: E731
    lines = [json.loads(line, parse_constant=refuse)
             for line in capsys.readouterr().out.splitlines()]
    assert rc == 0
    assert [d["epoch"] for d in lines[:-1]] == [1, 2]
    assert {"loss", "accuracy", "val_loss", "val_accuracy", "seconds"} <= set(lines[0])
    final = lines[-1]
    assert final["run_dir"] == str(out) and final["epochs_run"] == 2
    assert final["model"].endswith("best.keras") and len(final["history"]) == 2
    assert 0 <= final["test"]["accuracy"] <= 1 and final["test"]["loss"] > 0
    assert (out / "config.json").is_file() and (out / "last.keras").is_file()
    # the final test is the run's recorded test accuracy (what `compare --runs` quotes)
    (recorded,) = json.loads((out / "tests.json").read_text())
    assert (recorded["by"], recorded["split"], recorded["images"]) == ("train", "test", 30)
    assert recorded["accuracy"] == final["test"]["accuracy"]

    rc = main(["evaluate", final["model"], str(npz), "--json"])
    ev = json.loads(capsys.readouterr().out)
    assert rc == 0
    assert ev["recorded_in"] == str(out / "tests.json")  # best.keras of a run: recorded
    (recorded,) = json.loads((out / "tests.json").read_text())  # replaced, same data
    assert recorded["by"] == "evaluate"
    assert recorded["accuracy"] == pytest.approx(final["test"]["accuracy"], abs=1e-6)
    assert ev["accuracy"] == pytest.approx(final["test"]["accuracy"], abs=1e-6)
    assert ev["loss"] == pytest.approx(final["test"]["loss"], rel=1e-3)
    assert np.array(ev["confusion_matrix"]).sum() == 30
    assert len(ev["per_class"]) == 3 and all(c["support"] > 0 for c in ev["per_class"])
    # a run folder works as MODEL too, and the text form prints the table
    assert main(["evaluate", str(out), str(npz)]) == 0
    text = capsys.readouterr().out
    assert "confusion matrix" in text and f"test accuracy of run {out.name}" in text


@pytest.mark.parametrize("argv,message", [
    (["train", "nosuchnet", "digits"], "unknown architecture 'nosuchnet'"),
    (["train", "happymodel", "{npz}", "--optimizer", "adagrad"], "optimizer must be one of"),
    (["train", "happymodel", "{npz}", "--augment", "wobble"], "unknown augmentation 'wobble'"),
    (["train", "happymodel", "{npz}", "--set", "filters=-3"], "option filters must be 1..4096"),
    (["train", "happymodel", "{npz}", "--set", "filters=4", "--set", "filters=8"], "set twice"),
    (["train", "happymodel", "{npz}", "--set", "filters="], "no value"),
    (["train", "happymodel", "{npz}", "--lr", "nan"], "finite number"),
    (["train", "happymodel", "{npz}", "--epochs", "0"], "epochs must be 1..100000"),
    (["train", "happymodel", "{npz}", "--momentum", "1"], "momentum must be in [0, 1)"),
    (["train", "happymodel", "{npz}", "--seed", "-1"], "seed must be 0..2147483647"),
    (["train", "happymodel", "{tmp}/missing.npz"], "missing.npz"),
    (["evaluate", "{tmp}/nope.keras", "{npz}"], "no such model file"),
])
def test_errors_are_one_line_and_exit_2(argv, message, npz, tmp_path, capsys):
    argv = [a.format(npz=npz, tmp=tmp_path) for a in argv]
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and message in err, err


def test_options_and_defaults_come_from_the_config_declaration():
    from cnnexplorer.cli import build_parser
    from cnnexplorer.core.train.config import TrainConfig

    from cnnexplorer.commands.train import config_from_args

    args = build_parser("train").parse_args(["train", "happymodel", "digits"])
    declared = TrainConfig.settings()
    config, rec = config_from_args(args)  # no recommendation for this pair: the defaults
    assert rec is None
    assert {name: getattr(config, name) for name in declared} == {
        name: default for name, (_, default) in declared.items()}
    args = build_parser("train").parse_args(["train", "happymodel", "digits", "--lr", "0.01",
                                             "--schedule", "Cosine", "--batch-size", "8"])
    assert (args.learning_rate, args.lr_schedule, args.batch_size) == (0.01, "cosine", 8)


def test_with_no_setting_given_the_cli_trains_with_the_panels_recommendation():
    """Issue 17: `train happymodel happy-faces` used batch 32 where the panel uses 16."""
    from cnnexplorer.cli import build_parser
    from cnnexplorer.commands.train import config_from_args
    from cnnexplorer.core.train.recommended import recommended

    rec = recommended("happymodel", "happy-faces")
    args = build_parser("train").parse_args(["train", "happymodel", "happy-faces"])
    config, used = config_from_args(args)
    assert used.recommendation is rec and config == rec.config()
    assert config.batch_size == 16
    # a setting given wins; the others stay recommended
    args = build_parser("train").parse_args(["train", "happymodel", "happy-faces",
                                             "--batch-size", "8", "--augment", "mirror"])
    config, _ = config_from_args(args)
    assert config.batch_size == 8 and config.epochs == rec.epochs
    assert set(config.augment) == {"mirror"}


def test_a_small_set_gets_the_small_set_settings_for_what_is_not_given(npz, tmp_path,
                                                                        capsys):
    """Issue 22: a hundred photos want augmentation, more epochs on a cosine schedule and the
    best epoch by validation (benchmarks/door.md, 'Small data'); given settings still win."""
    from cnnexplorer.core.train.recommended import SMALL_SET, SMALL_SET_MAX, small_set_settings

    out = tmp_path / "small"
    assert main(["train", "happymodel", str(npz), "--epochs", "1", "--set", "filters=4",
                 "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "a small set (120 training images)" in text and "cosine schedule" in text
    saved = json.loads((out / "config.json").read_text())["train"]
    assert saved["epochs"] == 1  # given
    assert saved["batch_size"] == SMALL_SET["batch_size"] and saved["lr_schedule"] == "cosine"
    assert saved["validation_split"] == SMALL_SET["validation_split"]
    assert set(saved["augment"]) == set(SMALL_SET["augment"])
    out2 = tmp_path / "given"
    assert main(["train", "happymodel", str(npz), "--epochs", "1", "--set", "filters=4",
                 "--augment", "mirror", "--schedule", "constant", "--out", str(out2),
                 "--json"]) == 0
    saved = json.loads((out2 / "config.json").read_text())["train"]
    assert set(saved["augment"]) == {"mirror"} and saved["lr_schedule"] == "constant"
    assert saved["batch_size"] == SMALL_SET["batch_size"]
    assert small_set_settings(SMALL_SET_MAX + 1) is None and small_set_settings(None) is None


def _test_only_file(path, n=12, seed=0):
    """A course-style test file on its own (test_set_x, test_set_y as a row, list_classes)."""
    import h5py

    rng = np.random.default_rng(seed)
    y = np.arange(n) % 2
    x = (rng.random((n, 16, 16, 3)) * 255).astype(np.uint8)
    with h5py.File(path, "w") as f:
        f.create_dataset("test_set_x", data=x)
        f.create_dataset("test_set_y", data=y.reshape(1, -1))
        f.create_dataset("list_classes", data=np.array([0, 1]))
    return path, y


def test_evaluate_takes_a_test_file_on_its_own_and_train_says_what_it_is(tmp_path, capsys):
    import keras

    data, y = _test_only_file(tmp_path / "test_happy.h5")
    inp = keras.Input((16, 16, 3))
    out = keras.layers.Dense(1, activation="sigmoid", name="fc")(keras.layers.Flatten()(inp))
    model_path = tmp_path / "tiny.keras"
    keras.Model(inp, out).save(model_path)

    assert main(["evaluate", str(model_path), str(data), "--json"]) == 0
    ev = json.loads(capsys.readouterr().out)
    assert ev["split"] == "test" and np.array(ev["confusion_matrix"]).sum() == len(y)
    assert [c["support"] for c in ev["per_class"]] == [6, 6]

    assert main(["train", "happymodel", str(data), "--epochs", "1"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1, err
    assert "holds only a test split (12 images" in err and "train_*.h5" in err, err


def test_evaluate_still_reports_when_the_run_cannot_record_its_test(npz, tmp_path, capsys):
    out = tmp_path / "run"
    assert main(["train", "happymodel", str(npz), "--epochs", "1", "--batch-size", "16",
                 "--set", "filters=2", "--set", "kernel=3", "--out", str(out), "--json"]) == 0
    capsys.readouterr()
    (out / "tests.json").unlink()
    (out / "tests.json").mkdir()  # in the way of the record (a read-only folder does not
    # stop root, which CI runs as)
    assert main(["evaluate", str(out), str(npz), "--json"]) == 0
    captured = capsys.readouterr()
    ev = json.loads(captured.out)
    assert 0 <= ev["accuracy"] <= 1 and ev["recorded_in"] is None
    assert "warning: cannot record the test accuracy in" in captured.err
    assert len(captured.err.strip().splitlines()) == 1
