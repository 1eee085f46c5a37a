"""Diagram layout and SVG: boxes for every layer, branches side by side, orthogonal edges with
shapes, collapsible blocks, frames that never overlap, and speed."""

import itertools
import xml.etree.ElementTree as ET

import pytest

from cnnexplorer.core.arch.kinds.structure import Opaque
from cnnexplorer.core.arch import zoo
from cnnexplorer.core.views.diagram_layout import (
    all_blocks,
    blocks_at_depth,
    layout_network,
)
from cnnexplorer.core.formatting import shape_text
from cnnexplorer.core.views.diagram_svg import render_svg
from cnnexplorer.core.arch.graph import NetworkBuilder

COURSE = [e.key for e in zoo.entries() if e.family != "Keras applications"]
NS = {"s": "http://www.w3.org/2000/svg"}


def _overlap(a, b) -> bool:
    return a.x < b.x + b.w and b.x < a.x + a.w and a.y < b.y + b.h and b.y < a.y + a.h


@pytest.mark.parametrize("key", COURSE)
def test_every_layer_has_one_box_and_boxes_never_overlap(key):
    net = zoo.build(key)
    lay = layout_network(net)
    assert sorted(b.id for b in lay.boxes) == sorted(n.name for n in net.nodes)
    for a, b in itertools.combinations(lay.boxes, 2):
        assert not _overlap(a, b), (a.id, b.id)
    # sibling frames (neither inside the other) never overlap either
    for f, g in itertools.combinations(lay.frames, 2):
        nested = f.block.startswith(g.block + "/") or g.block.startswith(f.block + "/")
        if not nested:
            assert not _overlap(f, g), (f.block, g.block)
    assert all(0 <= x <= lay.width and 0 <= y <= lay.height for e in lay.edges
               for x, y in e.points)  # bypass lanes are inside the picture too
    wired = {(i, n.name) for n in net.nodes for i in n.inputs}
    assert {(e.src, e.dst) for e in lay.edges} == wired


@pytest.mark.parametrize("key", ["googlenet", "resnet50_course", "inception_module"])
def test_edges_are_orthogonal_from_source_bottom_to_target_top(key):
    net = zoo.build(key)
    lay = layout_network(net)
    for e in lay.edges:
        src, dst = lay.box(e.src), lay.box(e.dst)
        assert e.points[0] == (src.center[0], src.y + src.h)
        assert e.points[-1] == (dst.center[0], dst.y)
        for (x0, y0), (x1, y1) in zip(e.points, e.points[1:]):
            assert x0 == x1 or y0 == y1
            assert y1 >= y0  # never climbs back up
        assert e.label == shape_text(net.node(e.src).output_shape)
    labelled = [e.src for e in lay.edges if e.label_at]
    assert len(labelled) == len(set(labelled)) == len({e.src for e in lay.edges})


def test_inception_branches_stand_side_by_side():
    lay = layout_network(zoo.build("inception_module"))
    starts = [lay.box(f"inception_{s}") for s in ("1x1", "3x3_reduce", "5x5_reduce", "pool")]
    assert len({b.y for b in starts}) == 1
    assert [b.x for b in starts] == sorted({b.x for b in starts})  # source order, left->right
    out = lay.box("inception_output")
    assert out.y > max(lay.box(f"inception_{s}").y for s in ("3x3", "5x5", "pool_proj"))


def test_resnet_trunk_is_straight_and_shortcut_beside_it():
    net = zoo.build("resnet50_course")
    lay = layout_network(net)
    main = [lay.box(n) for n in ("res2a_branch2a", "bn2a_branch2a", "res2a_branch2c",
                                 "res2a_add", "res3a_branch2a", "fc6")]
    assert len({b.x for b in main}) == 1
    short = lay.box("res2a_branch1")
    assert short.y == lay.box("res2a_branch2a").y and short.x > main[0].x


def test_collapsing_a_block_merges_it_into_one_box():
    net = zoo.build("googlenet")
    lay = layout_network(net, {"stage3/inception_3a"})
    block = lay.box("block:stage3/inception_3a")
    members = [n.name for n in net.nodes if n.block.startswith("stage3/inception_3a")]
    assert block.is_block and list(block.layers) == members
    assert block.subtitle == "Inception module, 8 layers\n164k params, 128M MACs"
    assert lay.box_of_layer("inception_3a_5x5") is block
    into = [e for e in lay.edges if e.dst == block.id]
    assert [e.label for e in into] == ["28x28x192"]
    stages = blocks_at_depth(net, 1)
    assert stages == {b for b in all_blocks(net) if "/" not in b} and "stage3" in stages
    small = layout_network(net, stages)
    assert len(small.boxes) < 12 and not small.frames
    assert "MACs" in small.box("block:stage3").subtitle


def test_custom_layer_and_lower_bound_in_block_box():
    b = NetworkBuilder("Custom")
    x = b.input((8, 8, 3))
    with b.block("mystery"):
        x = b.conv2d(x, 4, 3, name="conv")
        x = b.add(Opaque(class_name="Swirl", shape=(6, 6, 4)), x, name="swirl")
    net = b.build(x)
    lay = layout_network(net)
    assert lay.box("swirl").subtitle == "Swirl (custom)"
    folded = layout_network(net, {"mystery"})
    assert "+ MACs" in folded.box("block:mystery").subtitle  # a lower bound


def test_svg_is_valid_escaped_and_marks_selection():
    b = NetworkBuilder("a <b> & c")
    x = b.input((8, 8, 3))
    x = b.conv2d(x, 4, 3, name="conv")
    svg = render_svg(layout_network(b.build(x)), selected="conv")
    root = ET.fromstring(svg)
    boxes = root.findall(".//s:g[@class='box']", NS)
    assert [g.get("data-id") for g in boxes] == ["input", "conv"]
    assert root.find("s:text", NS).text == "a <b> & c"
    assert 'stroke="#d62728"' in svg
    assert [t.text for t in root.iterfind(".//s:text[@class='shape']", NS)] == ["8x8x3"]


def test_the_big_networks_lay_out_with_every_layer():
    # how fast: benchmarks/bench_diagram.py (no wall-clock assertion on a shared machine)
    vgg, resnet = zoo.build("vgg16"), zoo.build("resnet50")
    assert len(layout_network(vgg).boxes) == len(vgg.nodes)
    svg = render_svg(layout_network(resnet))
    assert svg.count('class="box"') == len(resnet.nodes)
