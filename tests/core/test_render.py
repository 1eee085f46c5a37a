"""Cost-table rendering (text, Markdown, CSV) and its display order."""

import csv
import io

import pytest

from cnnexplorer.core.arch.kinds.structure import Opaque
from cnnexplorer.core.arch import zoo
from cnnexplorer.core.arch.cost import MAC_NOTE, cost_report
from cnnexplorer.core.errors import CnnExplorerError, ConfigError
from cnnexplorer.core.arch.graph import NetworkBuilder
from cnnexplorer.core.views.render import (
    CSV_COLUMNS,
    display_items,
    fmt_share,
    heading,
    render_csv,
    render_markdown,
    render_text,
)
from cnnexplorer.core.keras.sources import load_network



def _spec_entries():
    """Entries written as specs. keras.applications entries build a real Keras model (seconds,
    and TensorFlow in this process): their own tests cover them, these stay instant."""
    try:
        from cnnexplorer.core.arch.zoo.applications import FAMILY
    except ImportError:
        FAMILY = None
    return [e for e in zoo.entries() if e.family != FAMILY]


ENTRIES = [e.key for e in _spec_entries()]


# -- sources -----------------------------------------------------------------------------------

def test_load_network_resolves_aliases_and_configures():
    net, meta = load_network("ResNet-50", (128, 128, 3), 10, {"width": "0.5"})
    assert meta.architecture == "resnet50" and meta.kind == "zoo"
    assert meta.input_shape == (128, 128, 3) and meta.classes == 10
    assert meta.options == {"width": 0.5, "pooling": "global_avg"}
    assert net.input_shape == (128, 128, 3) and net.output_shapes == ((10,),)


def test_load_network_suggests_close_names():
    with pytest.raises(ConfigError) as err:
        load_network("resnet5")
    msg = str(err.value)
    assert "'resnet5'" in msg and "did you mean resnet50" in msg


def test_load_network_on_model_files_names_the_file(tmp_path):
    with pytest.raises(ConfigError, match="not found"):
        load_network(str(tmp_path / "missing.keras"))
    bogus = tmp_path / "bogus.h5"
    bogus.write_bytes(b"not a model")
    with pytest.raises(CnnExplorerError, match="bogus.h5"):
        load_network(str(bogus))


# -- display order -----------------------------------------------------------------------------

def _reentered_block_network():
    """Block 'a' is left for block 'side' and entered again: its subtotal must come once."""
    b = NetworkBuilder("Reentered")
    x = b.input((8, 8, 3))
    with b.block("a"):
        x = b.conv2d(x, 4, 3, padding="same", name="a1")
    with b.block("side"):
        y = b.conv2d(x, 2, 1, name="side1")
    with b.block("a"):
        with b.block("inner"):
            x = b.conv2d(x, 2, 1, name="a2")
        x = b.concat([x, y], name="a_cat")
    return b.build(x)


def test_display_items_put_each_subtotal_once_after_its_last_layer():
    report = cost_report(_reentered_block_network())
    items = list(display_items(report))
    labels = [(i.kind, i.label, i.depth) for i in items]
    assert labels == [("layer", "input", 0), ("layer", "a1", 1), ("layer", "side1", 1),
                      ("block", "side", 0), ("layer", "a2", 2), ("block", "inner", 1),
                      ("layer", "a_cat", 1), ("block", "a", 0)]
    a = items[-1].subtotal
    assert a.layers == 3 and a.params == (3 * 3 * 3 * 4 + 4) + (4 * 2 + 2)


@pytest.mark.parametrize("key", ENTRIES)
def test_every_block_has_one_subtotal_in_display_order(key):
    report = cost_report(zoo.build(key))
    items = list(display_items(report))
    blocks = [i.subtotal.block for i in items if i.kind == "block"]
    assert sorted(blocks) == sorted(report.blocks)
    assert [i.row for i in items if i.kind == "layer"] == list(report.rows)
    assert list(display_items(report, subtotals=False)) == [i for i in items if i.kind == "layer"]


# -- renderers, over the whole zoo ----------------------------------------------------------------

def _csv_rows(text):
    return list(csv.DictReader(io.StringIO(text)))


@pytest.mark.parametrize("key", ENTRIES)
def test_csv_sums_agree_with_the_rows(key):
    report = cost_report(zoo.build(key))
    rows = _csv_rows(render_csv(report))
    assert tuple(rows[0]) == CSV_COLUMNS
    layers = [r for r in rows if r["kind"] == "layer"]
    assert [r["name"] for r in layers] == [r.name for r in report.rows]
    for block in (r for r in rows if r["kind"] == "block"):
        inside = [r for r in layers if r["block"] == block["name"]
                  or r["block"].startswith(block["name"] + "/")]
        assert int(block["params"]) == sum(int(r["params"]) for r in inside), block["name"]
        assert int(block["macs"]) == sum(int(r["macs"]) for r in inside), block["name"]
    (total,) = [r for r in rows if r["kind"] == "total"]
    t = report.totals
    assert int(total["params"]) == t.params == sum(int(r["params"]) for r in layers)
    assert int(total["trainable_params"]) + int(total["non_trainable_params"]) == t.params
    assert int(total["macs"]) == t.macs == sum(int(r["macs"]) for r in layers)
    if t.macs:
        assert sum(float(r["mac_share"]) for r in layers) == pytest.approx(1.0, abs=1e-4)


@pytest.mark.parametrize("key", ENTRIES)
def test_text_and_markdown_show_every_layer_and_the_totals(key):
    net, meta = load_network(key)
    report = cost_report(net)
    text = render_text(report, heading(meta), batch_size=16)
    md = render_markdown(report, heading(meta), batch_size=16)
    t = report.totals
    for out in (text, md):
        assert f"{t.params:,}" in out and f"{t.macs:,}" in out and f"{t.flops:,}" in out
        assert f"{t.trainable_params:,}" in out and f"{t.non_trainable_params:,}" in out
        assert "batch 16" in out and meta.title in out
        for r in report.rows:
            assert r.name in out
    # Markdown: one table line per layer and per block, plus header and rule.
    table = [ln for ln in md.splitlines() if ln.startswith("|")]
    assert len(table) == 2 + len(report.rows) + len(report.blocks)
    assert all(ln.count(" | ") == table[0].count(" | ") for ln in table[2:])
    assert table[1] == "|---|---|---|---|---|---:|---:|---:|---:|"  # one rule cell per column


def test_text_table_resnet50_figures_and_layout():
    net, meta = load_network("resnet50")
    text = render_text(cost_report(net), heading(meta), batch_size=32)
    lines = text.splitlines()
    assert lines[0].startswith("ResNet-50 (ImageNet form) [resnet50]: input 224x224x3, "
                               "1000 classes")
    assert "Params:" in text and "25,636,712 (trainable 25,583,592; non-trainable 53,120)" in text
    assert "3,857,973,248 (3.86 G)" in text and "7,715,946,496" in text
    conv1 = next(ln for ln in lines if ln.strip().startswith("conv1 "))
    assert conv1.split()[1:] == ["Conv2D", "7x7/2,", "64", "112x112x64", "9,472",
                                 "118,013,952", "3.1%", "7x7"]
    stage5 = next(ln for ln in lines if "= stage5 total" in ln)
    s5 = cost_report(net).blocks["stage5"]
    assert f"{s5.params:,}" in stage5 and f"{s5.macs:,}" in stage5
    # nested blocks are indented under their stage: res2a's layers by two levels
    assert next(ln for ln in lines if "res2a_branch2a" in ln).startswith("    res2a_branch2a")
    assert "Training memory, batch 32:" in text
    assert " ".join(MAC_NOTE.split()) in " ".join(text.split())
    # every table line is as wide as the rule at most: columns line up
    rule = next(ln for ln in lines if set(ln) == {"-"})
    table = lines[lines.index(rule) + 1: len(lines) - lines[::-1].index(rule) - 1]
    assert all(len(ln) <= len(rule) for ln in table)


def test_uncounted_layers_make_totals_lower_bounds():
    b = NetworkBuilder("Custom")
    x = b.input((8, 8, 3))
    x = b.conv2d(x, 4, 3, name="c1")
    x = b.add(Opaque(class_name="MyLayer", shape=(6, 6, 4), trainable=5), x, name="mine")
    report = cost_report(b.build(x))
    text = render_text(report)
    mine = next(ln for ln in text.splitlines() if ln.startswith("mine"))
    assert "not counted" in mine and "MyLayer" in mine
    assert ">= 3,888" in text and "lower bounds" in text
    rows = _csv_rows(render_csv(report))
    assert rows[-2]["name"] == "mine" and rows[-2]["macs"] == ""


def test_markdown_escapes_pipes_and_marks_subtotals():
    b = NetworkBuilder("Pipes")
    x = b.input((4, 4, 1))
    with b.block("a|b"):
        x = b.conv2d(x, 2, 1, name="c")
    md = render_markdown(cost_report(b.build(x)), title="x|y")
    assert "### x\\|y" in md
    assert "| a\\|b | **= a\\|b total** |" in md


def test_fmt_share():
    assert fmt_share(0, 100) == "" and fmt_share(None, 100) == "" and fmt_share(5, 0) == ""
    assert fmt_share(1, 3) == "33.3%" and fmt_share(1, 10_000) == "<0.1%"
