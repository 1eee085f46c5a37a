"""`cnnexplorer diagram` (SVG and PNG, collapse, errors) and `cnnexplorer inspect PATH`."""

import json
import xml.etree.ElementTree as ET

import pytest

from cnnexplorer.cli import main
from cnnexplorer.core.arch import zoo
from cnnexplorer.core.arch.cost import cost_report, report_to_dict

NS = {"s": "http://www.w3.org/2000/svg"}


def run_cli(capsys, *argv):
    rc = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return rc, out, err


def _box_ids(path):
    root = ET.parse(path).getroot()
    return [g.get("data-id") for g in root.iterfind(".//s:g[@class='box']", NS)]


def test_diagram_svg_of_a_zoo_entry(capsys, tmp_path):
    out = tmp_path / "googlenet.svg"
    rc, _, err = run_cli(capsys, "diagram", "googlenet", "-o", out, "--set", "aux_heads=true")
    assert rc == 0, err
    net = zoo.build("googlenet", aux_heads=True)
    assert _box_ids(out) == [n.name for n in net.nodes]
    assert "GoogLeNet" in out.read_text() and "boxes" in err


def test_diagram_collapse_by_depth_and_by_name(capsys, tmp_path):
    out = tmp_path / "r.svg"
    assert run_cli(capsys, "diagram", "resnet50_course", "-o", out, "--collapse", "1")[0] == 0
    assert _box_ids(out) == ["input", "block:stage1", "block:stage2", "block:stage3",
                             "block:stage4", "block:stage5", "block:head"]
    assert run_cli(capsys, "diagram", "resnet50_course", "-o", out,
                   "--collapse", "stage2/res2a")[0] == 0
    ids = _box_ids(out)
    assert "block:stage2/res2a" in ids and "res2b_branch2a" in ids


def test_diagram_png_renders_headless(capsys, tmp_path):
    out = tmp_path / "inc.png"
    rc, _, err = run_cli(capsys, "diagram", "inception_module", "-o", out, "--scale", "0.5")
    assert rc == 0, err
    data = out.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    assert 300 < width < 600 and 100 < height < 300


@pytest.mark.parametrize("argv, needles", [
    (["diagram", "vgg16", "-o", "x.pdf"], ["-o must name a .svg or .png", "x.pdf"]),
    (["diagram", "vgg16", "-o", "x.svg", "--collapse", "stage9"], ["no block 'stage9'",
                                                                   "block1"]),
    (["diagram", "nope", "-o", "x.svg"], ["unknown architecture 'nope'"]),
    (["diagram", "missing.keras", "-o", "x.svg"], ["model file not found", "missing.keras"]),
    (["diagram", "vgg16", "-o", "no/such/dir/x.svg"], ["does not exist"]),
])
def test_diagram_errors_are_one_line(capsys, tmp_path, monkeypatch, argv, needles):
    monkeypatch.chdir(tmp_path)
    rc, _, err = run_cli(capsys, *argv)
    assert rc == 2 and err.count("\n") == 1 and "Traceback" not in err
    for needle in needles:
        assert needle in err, (needle, err)


@pytest.fixture(scope="module")
def happy_file(tmp_path_factory):
    from cnnexplorer.core.keras.build import build_keras_model

    path = tmp_path_factory.mktemp("models") / "happy.keras"
    build_keras_model(zoo.build("happymodel")).save(path)
    return path


def test_inspect_and_diagram_accept_a_model_file(capsys, happy_file, tmp_path):
    rc, out, err = run_cli(capsys, "inspect", happy_file, "--json")
    assert rc == 0, err
    data = json.loads(out)
    expected = report_to_dict(cost_report(zoo.build("happymodel")))
    def strip(layers):  # a saved model keeps no block names: the rest must agree
        return [{k: v for k, v in la.items() if k != "block"} for la in layers]

    assert strip(data["layers"]) == strip(expected["layers"])
    assert data["totals"] == expected["totals"]
    assert data["architecture"] == "happy.keras" and data["classes"] == 1
    rc, text, _ = run_cli(capsys, "inspect", happy_file)
    assert rc == 0 and "conv0" in text and "37,633" in text.replace(" ", ",")
    svg = tmp_path / "happy.svg"
    assert run_cli(capsys, "diagram", happy_file, "-o", svg)[0] == 0
    assert _box_ids(svg)[:3] == ["input", "zero_padding", "conv0"]
    rc, _, err = run_cli(capsys, "inspect", happy_file, "--input", "32x32x3")
    assert rc == 2 and "fixed at 64x64x3" in err
