"""One colour table by layer type: the cost charts' bars and the diagram's boxes agree."""

from pathlib import Path

from cnnexplorer.core.views import diagram_layout
from cnnexplorer.core.views.kind_colours import KIND_COLOURS, kind_colour, kind_fill

PACKAGE = Path(__file__).resolve().parents[2] / "cnnexplorer"


def _rgb(hex_colour: str) -> tuple[int, ...]:
    return tuple(int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))


def test_a_diagram_box_is_a_tint_of_the_charts_colour():
    for kind in ("Conv2D", "Dense", "BatchNormalization", "MaxPooling2D", "SomethingNew"):
        bar, box = _rgb(kind_colour(kind)), _rgb(diagram_layout.kind_color(kind))
        assert box == _rgb(kind_fill(kind))
        # the same hue, lighter: every channel moves towards white by the same fraction
        fractions = [(x - c) / (255 - c) for c, x in zip(bar, box) if c < 255]
        assert max(fractions) - min(fractions) < 0.02 and 0.3 < min(fractions) < 0.9


def test_a_type_without_a_colour_gets_the_same_one_whatever_came_first():
    first = kind_colour("Cropping2D")
    for other in ("UpSampling2D", "Reshape", "Permute"):
        kind_colour(other)
    assert kind_colour("Cropping2D") == first  # was the order of first use (a mutable cache)


def test_the_convolutions_have_one_hue_in_both_views():
    assert KIND_COLOURS["Conv2D"] == KIND_COLOURS["SeparableConv2D"]
    assert kind_colour("Conv2D") != kind_colour("Dense")


def test_no_other_module_keeps_a_colour_table_by_layer_type():
    found = [str(p.relative_to(PACKAGE.parent)) for p in PACKAGE.rglob("*.py")
             if p.name != "kind_colours.py" and '"Conv2D": "#' in p.read_text(encoding="utf-8")]
    assert not found, f"use core.views.kind_colours: {found}"
