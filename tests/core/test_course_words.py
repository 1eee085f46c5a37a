"""The course's words for blocks and branches, in the cost rows, `inspect` and the diagram."""

import csv
import io

import pytest

from cnnexplorer.core.arch.cost import cost_report
from cnnexplorer.core.arch.course_words import course_words
from cnnexplorer.core.arch.spec_io import network_from_dict, network_to_dict
from cnnexplorer.core.arch.zoo import build
from cnnexplorer.core.views.diagram_layout import layout_network
from cnnexplorer.core.views.render import render_csv, render_text


def test_resnet_blocks_are_identity_or_convolutional_and_the_shortcut_is_marked():
    net = build("resnet50_course")
    words = course_words(net)
    assert words.block_kind("stage2/res2a") == "convolutional block"
    assert words.block_kind("stage2/res2b") == "identity block"
    assert words.block_kind("stage5/res5c") == "identity block"
    assert words.block_kind("stage2") == "block"  # a stage is a plain group
    shortcut = {n for n, role in words.roles.items() if role == "shortcut"}
    # the shortcut's 1x1 conv and its BN, in each of the four convolutional blocks only
    assert shortcut == {f"{p}{s}a_branch1" for p in ("res", "bn") for s in "2345"}
    assert words.role("res2a_branch2a") == ""  # the main path keeps its plain kind


def test_googlenet_branches_have_the_papers_names():
    words = course_words(build("googlenet"))
    assert words.block_kind("stage4/inception_4c") == "Inception module"
    expected = {"1x1": "1x1", "3x3_reduce": "3x3 reduce", "3x3": "3x3",
                "5x5_reduce": "5x5 reduce", "5x5": "5x5", "pool": "pool",
                "pool_proj": "pool proj"}
    for suffix, role in expected.items():
        assert words.role(f"inception_4c_{suffix}") == role
    assert words.role("inception_4c_output") == ""


def test_naive_inception_module_branches_are_named_by_kernel():
    words = course_words(build("inception_module", bottleneck=False))
    assert words.block_kind("inception") == "Inception module"
    assert [words.role(f"inception_{s}") for s in ("1x1", "3x3", "5x5", "pool")] == \
        ["1x1", "3x3", "5x5", "pool"]


def test_plain_and_residual_presets_differ_only_by_the_shortcut():
    assert course_words(build("residual_net")).block_kind("block1") == "identity block"
    assert course_words(build("plain_net")).block_kind("block1") == "block"


def test_words_survive_a_saved_spec():
    net = build("resnet50_course")
    again = network_from_dict(network_to_dict(net))
    assert course_words(again) == course_words(net)


def test_imported_keras_resnet_v2_gets_the_same_words():
    """The shipped keras.applications spec: the words come from the graph, not the names."""
    words = course_words(build("resnet50v2"))
    assert words.block_kind("conv2/conv2_block1") == "convolutional block"
    assert words.block_kind("conv2/conv2_block2") == "identity block"
    assert words.role("conv2_block1_0_conv") == "shortcut"
    # the pre-activation BN feeds both paths: it is no part of the shortcut
    assert words.role("conv2_block1_preact_bn") == ""


def test_inspect_text_and_csv_use_the_words():
    report = cost_report(build("resnet50_course"))
    assert report.blocks["stage2/res2a"].kind == "convolutional block"
    assert report.row("res2a_branch1").role == "shortcut"
    text = render_text(report)
    line = next(ln for ln in text.splitlines() if "= res2b total" in ln)
    assert "identity block, 10 layers" in line
    assert "block (" not in text
    conv = next(ln for ln in text.splitlines() if ln.strip().startswith("res3a_branch1 "))
    assert "Conv2D (shortcut)" in conv
    rows = {(r["kind"], r["name"]): r for r in csv.DictReader(io.StringIO(render_csv(report)))}
    assert rows[("layer", "res2a_branch1")]["role"] == "shortcut"
    assert rows[("layer", "res2a_branch2a")]["role"] == ""
    assert rows[("block", "stage2/res2a")]["role"] == "convolutional block"


@pytest.mark.parametrize("key, layer, subtitle_start", [
    ("resnet50_course", "res2a_branch1", "shortcut: Conv2D"),
    ("googlenet", "inception_3a_3x3_reduce", "3x3 reduce: Conv2D"),
])
def test_diagram_boxes_and_frames_use_the_words(key, layer, subtitle_start):
    lay = layout_network(build(key))
    assert lay.box(layer).subtitle.startswith(subtitle_start)
    labels = {f.label for f in lay.frames}
    if key == "resnet50_course":
        assert {"res2a: convolutional block", "res2b: identity block", "stage2"} <= labels
        folded = layout_network(build(key), {"stage2/res2b"})
        assert folded.box("block:stage2/res2b").subtitle.startswith("identity block, 10 layers")
    else:
        assert "inception_3a: Inception module" in labels
