"""`cnnexplorer compare`: the case studies side by side; each row equals `inspect`'s totals."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from cnnexplorer.cli import main
from cnnexplorer.commands.compare import CASE_STUDIES


def cli_json(capsys, *args):
    assert main(list(args)) == 0
    return json.loads(capsys.readouterr().out)


def test_rows_equal_the_inspect_totals(capsys):
    rows = cli_json(capsys, "compare", "--json", "--batch", "8")["rows"]
    assert [r["architecture"] for r in rows] == list(CASE_STUDIES)
    for row in rows:
        inspected = cli_json(capsys, "inspect", row["architecture"], "--json", "--batch", "8")
        totals = inspected["totals"]
        assert (row["params"], row["macs"], row["flops"]) == (
            totals["params"], totals["macs"], totals["flops"])
        assert row["activation_bytes_per_image"] == totals["activation_bytes_per_image"]
        assert row["training_memory"] == inspected["training_memory"]["total"]
        last = next(la for la in inspected["layers"] if la["name"] == row["last_conv"])
        assert row["last_conv_receptive_field"] == last["receptive_field"]


@pytest.mark.parametrize("key, depth", [
    # the papers' own counts: layers with weights on the longest path
    ("lenet5", 5), ("alexnet", 8), ("vgg16", 16), ("resnet50", 50), ("googlenet", 22),
])
def test_depth_is_the_papers_count(capsys, key, depth):
    (row,) = cli_json(capsys, "compare", key, "--json")["rows"]
    assert row["depth"] == depth


def test_published_accuracy_comes_with_its_source(capsys):
    rows = {r["architecture"]: r for r in cli_json(capsys, "compare", "--json")["rows"]}
    assert rows["vgg16"]["accuracy"] == pytest.approx(0.713)
    assert "keras.io" in rows["vgg16"]["accuracy_source"]
    assert rows["lenet5"]["accuracy"] is None and rows["lenet5"]["accuracy_source"] == ""


def test_text_markdown_and_csv(capsys):
    assert main(["compare", "happymodel", "resnet50_course"]) == 0
    text = capsys.readouterr().out
    assert "HappyModel" in text and "last conv RF" in text
    assert main(["compare", "happymodel", "resnet50_course", "--markdown"]) == 0
    md = capsys.readouterr().out
    assert md.splitlines()[1].startswith("|---|---|---:")
    assert main(["compare", "happymodel", "resnet50_course", "--csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [r["architecture"] for r in rows] == ["happymodel", "resnet50_course"]
    assert rows[0]["params"] == "37633"


def test_an_unknown_architecture_exits_2(capsys):
    assert main(["compare", "vgg16", "nosuchnet"]) == 2
    assert "nosuchnet" in capsys.readouterr().err


def test_runs_give_their_test_accuracy_and_say_so(tmp_path, capsys):
    import numpy as np

    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 60)
    x = (rng.random((60, 12, 12, 3)) * 255).astype(np.uint8)
    data = tmp_path / "dots.npz"
    np.savez(data, x_train=x[:40], y_train=y[:40], x_test=x[40:], y_test=y[40:])
    # no --out: the run goes to the runs folder that compare reads
    assert main(["train", "happymodel", str(data), "--epochs", "1", "--batch-size", "16",
                 "--set", "filters=2", "--set", "kernel=3", "--json"]) == 0
    final = json.loads(capsys.readouterr().out.splitlines()[-1])
    dataset = json.loads((Path(final["run_dir"]) / "config.json").read_text())["dataset"]["name"]
    rows = {r["architecture"]: r for r in cli_json(
        capsys, "compare", "happymodel", "vgg16", "--runs", dataset, "--json")["rows"]}
    happy = rows["happymodel"]
    assert happy["accuracy"] == pytest.approx(final["test"]["accuracy"])
    assert happy["accuracy_kind"] == "test"
    assert "test accuracy of its best model (20 test images" in happy["accuracy_source"]
    # beside runs, a network without one shows none, not a published ImageNet figure
    assert rows["vgg16"]["accuracy"] is None and rows["vgg16"]["accuracy_kind"] is None
    assert main(["compare", "happymodel", "--runs", dataset]) == 0
    text = capsys.readouterr().out
    assert f"{happy['accuracy']:.1%} (test)" in text and "accuracy: run " in text
    # a run without a measured test: its validation figure, labelled as such
    (Path(final["run_dir"]) / "tests.json").unlink()
    (row,) = cli_json(capsys, "compare", "happymodel", "--runs", dataset, "--json")["rows"]
    assert row["accuracy_kind"] == "validation"
    assert "no test accuracy measured" in row["accuracy_source"]


def test_runs_on_an_unknown_dataset_exit_2(capsys):
    assert main(["compare", "--runs", "no-such-set"]) == 2
    err = capsys.readouterr().err
    assert "--runs 'no-such-set'" in err and "no saved run" in err and len(err.splitlines()) == 1
