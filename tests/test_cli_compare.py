"""`cnnexplorer compare`: the case studies side by side; each row equals `inspect`'s totals."""

from __future__ import annotations

import csv
import io
import json

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
