"""The working of a layer: the course's formulas filled in must give the table's numbers, for
every layer of every zoo entry."""

from __future__ import annotations

import json

import pytest

from cnnexplorer.cli import main
from cnnexplorer.core.arch import zoo
from cnnexplorer.core.arch.cost import cost_report
from cnnexplorer.core.arch.working import layer_working

# every entry, the keras.applications ones too (their specs ship precomputed: no Keras here)
@pytest.mark.parametrize("key", [e.key for e in zoo.entries()])
def test_every_layers_working_gives_the_table_numbers(key):
    network = zoo.get(key).network()
    report = cost_report(network)
    for row in report.rows:
        w = layer_working(network, row.name, report)
        assert w.output_shape == row.output_shape, row.name
        assert (w.trainable_params, w.non_trainable_params) == (
            row.trainable_params, row.non_trainable_params), row.name
        assert w.macs == row.macs, row.name


def test_the_notes_inception_example_worked_out():
    network = zoo.get("inception_5x5").network(options={"bottleneck": False})
    conv = next(n for n in network.nodes if n.kind == "Conv2D")
    w = layer_working(network, conv.name)
    by_topic = {ln.topic: ln for ln in w.lines}
    assert by_topic["MACs"].filled == "5 * 5 * 192 * 32 * 28 * 28"
    assert by_topic["MACs"].result == "120,422,400"
    # 'same' padding's p worked out: (28 - 1) * 1 + 5 - 28 = 4, so p = 2
    assert by_topic["height padding"].result == "4, so p = 2"
    assert by_topic["output height"].filled == "floor((28 + 2*2 - 5) / 1) + 1"


def test_strided_conv_and_batchnorm_in_resnet50():
    network = zoo.get("resnet50").network()
    conv1 = {ln.topic: ln for ln in layer_working(network, "conv1").lines}
    assert conv1["output height"].filled == "floor((230 + 2*0 - 7) / 2) + 1"
    assert conv1["output height"].result == "112"
    assert conv1["parameters"].filled == "(7 * 7 * 3 + 1) * 64"
    assert conv1["receptive field"].result == "7 x 7 pixels"
    bn = layer_working(network, "bn_conv1")
    assert (bn.trainable_params, bn.non_trainable_params) == (128, 128)


def test_inspect_layer_on_the_command_line(capsys):
    assert main(["inspect", "resnet50", "--layer", "res2a_branch2b"]) == 0
    out = capsys.readouterr().out
    assert "(3 * 3 * 64 + 1) * 64" in out and "36,928" in out
    assert "11 + (3 - 1) * 4 = 19 x 19 pixels" in out
    assert main(["inspect", "happymodel", "--layer", "conv0", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["output_shape"] == [64, 64, 32] and data["trainable_params"] == 4736


def test_an_unknown_layer_is_named_with_close_matches(capsys):
    assert main(["inspect", "resnet50", "--layer", "res2a_branch2x"]) == 2
    err = capsys.readouterr().err
    assert "no layer named 'res2a_branch2x'" in err and "res2a_branch2a" in err
