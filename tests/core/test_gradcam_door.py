"""Grad-CAM and feature maps: the heatmap lands where the evidence is, for either decision."""

from __future__ import annotations

import numpy as np
import pytest
from door_samples import face, tiny_happy_model

from cnnexplorer.core.errors import ConfigError
from cnnexplorer.core.door.gradcam import (
    Inspector,
    colorize,
    default_cam_layer,
    feature_grid,
    grid_position,
    overlay,
    spatial_layers,
)
from cnnexplorer.core.door.inference import DoorModel


@pytest.fixture(scope="module")
def colour_door():
    """A hand-made door: 'happy' evidence is red anywhere, 'not happy' evidence is blue.

    conv (1x1, 2 channels): channel 0 = red, channel 1 = blue; the dense unit adds red and
    subtracts blue, so Grad-CAM of "happy" must light the red region and of "not happy" the
    blue one.
    """
    import keras

    inp = keras.Input((16, 16, 3))
    conv = keras.layers.Conv2D(2, 1, use_bias=False, name="conv")
    x = keras.layers.Activation("relu", name="relu")(conv(inp))
    dense = keras.layers.Dense(1, activation="sigmoid", name="fc")
    out = dense(keras.layers.Flatten()(x))
    model = keras.Model(inp, out)
    k = np.zeros((1, 1, 3, 2), np.float32)
    k[0, 0, 0, 0] = 1.0  # red -> channel 0
    k[0, 0, 2, 1] = 1.0  # blue -> channel 1
    conv.set_weights([k])
    w = np.zeros((16 * 16 * 2, 1), np.float32)
    w[0::2] = 0.05
    w[1::2] = -0.05
    dense.set_weights([w, np.zeros(1, np.float32)])
    return DoorModel(model, "colours")


def _image():
    img = np.zeros((16, 16, 3), np.uint8)
    img[:8, :8, 0] = 255  # red: top-left
    img[8:, 8:, 2] = 255  # blue: bottom-right
    return img


def _mass(heat, rows, cols):
    return float(heat[rows, cols].sum() / max(heat.sum(), 1e-9))


def test_gradcam_lights_the_evidence_for_each_decision(colour_door):
    ins = Inspector(colour_door)
    happy = ins.gradcam(_image(), "relu", target="happy")
    sad = ins.gradcam(_image(), "relu", target="not happy")
    assert happy.heatmap.shape == (16, 16) and happy.heatmap.max() == pytest.approx(1.0)
    assert _mass(happy.heatmap, slice(0, 8), slice(0, 8)) > 0.95
    assert _mass(sad.heatmap, slice(8, 16), slice(8, 16)) > 0.95
    # equal red and blue areas: probability 0.5, and "decision" follows the threshold
    assert happy.probability == pytest.approx(0.5, abs=1e-4)
    assert ins.gradcam(_image(), "relu", "decision", threshold=0.4).target == "happy"
    assert ins.gradcam(_image(), "relu", "decision", threshold=0.6).target == "not happy"


def test_gradcam_probability_matches_the_door(colour_door):
    img = _image()
    img[8:, 8:, 2] = 0  # no blue: clearly happy
    cam = Inspector(colour_door).gradcam(img, target="decision")
    assert cam.target == "happy"
    assert cam.probability == pytest.approx(colour_door.probability(img), abs=1e-5)
    assert cam.layer == "relu"  # default: the activation after the last conv


def test_happymodel_layers_and_maps():
    door = DoorModel(tiny_happy_model(0), "happymodel")
    names = [info.name for info in spatial_layers(door.model)]
    assert names == ["zero_padding", "conv0", "bn0", "relu0", "max_pool"]
    assert default_cam_layer(door.model) == "relu0"
    ins = Inspector(door)
    maps = ins.feature_maps(face(True), "conv0")
    assert maps.shape == (64, 64, 32) and maps.dtype == np.float32
    cam = ins.gradcam(face(True))
    assert cam.heatmap.shape == (64, 64)
    assert 0.0 <= cam.heatmap.min() and cam.heatmap.max() <= 1.0
    with pytest.raises(ConfigError, match="'fc' has no spatial output"):
        ins.feature_maps(face(True), "fc")
    with pytest.raises(ConfigError, match="target"):
        ins.gradcam(face(True), target="sad")


def test_model_without_conv_has_nothing_to_explain():
    import keras

    inp = keras.Input((8, 8, 3))
    model = keras.Model(inp, keras.layers.Dense(1, activation="sigmoid")(
        keras.layers.Flatten()(inp)))
    with pytest.raises(ConfigError, match="no convolutional layer"):
        default_cam_layer(model)


def test_overlay_colours_the_hot_region_only():
    img = np.full((40, 40, 3), 128, np.uint8)
    heat = np.zeros((10, 10), np.float32)
    heat[:5, :5] = 1.0
    out = overlay(img, heat, alpha=0.5)  # a 10x10 map: no blur (sigma < 0.5)
    assert out.shape == img.shape and out.dtype == np.uint8
    change = np.abs(out.astype(int) - img).sum(axis=2)
    assert change[:15, :15].mean() > 3 * change[25:, 25:].mean()
    assert overlay(img[:, :, :1], heat).shape == (40, 40, 3)
    lut = colorize(np.array([[0.15, 0.95]]))
    assert lut[0, 0, 2] > lut[0, 0, 0] and lut[0, 1, 0] > lut[0, 1, 2]  # blue cold, red hot


def test_feature_grid_tiles_and_normalises_each_channel():
    maps = np.zeros((4, 4, 5), np.float32)
    maps[..., 1] = np.arange(16).reshape(4, 4)
    maps[..., 2] = 1000.0  # constant: black, not white
    grid = feature_grid(maps, pad=1)
    assert grid.shape == (2 * 5 - 1, 3 * 5 - 1)  # 3 columns (ceil sqrt 5), 2 rows
    assert grid[:4, 5:9].max() == pytest.approx(1.0) and grid[:4, 5:9].min() == 0.0
    assert grid[:4, 10:14].max() == 0.0
    assert feature_grid(np.ones((2, 2, 100), np.float32), limit=9).shape == (8, 8)


def test_grid_position_finds_every_value_of_the_grid_back():
    """Each value of the maps is told apart by (row, col, channel): the grid pixel a hover
    lands on must lead back to the very value tiled there, and padding to nothing."""
    h, w, c = 3, 4, 7
    maps = np.zeros((h, w, c), np.float32)
    for k in range(c):
        maps[..., k] = (np.arange(h * w).reshape(h, w) / (h * w - 1)) ** (k + 1)
    grid = feature_grid(maps, pad=1, fill=np.nan)
    seen = set()
    for y in range(grid.shape[0]):
        for x in range(grid.shape[1]):
            pos = grid_position(maps.shape, x, y)
            if np.isnan(grid[y, x]):
                assert pos is None, (x, y)
                continue
            row, col, k = pos
            assert grid[y, x] == pytest.approx(maps[row, col, k])
            seen.add(pos)
    assert len(seen) == h * w * c
    assert grid_position(maps.shape, -1, 0) is None
    assert grid_position(maps.shape, grid.shape[1] + 3, 0) is None
    assert grid_position((2, 2, 100), 0, 0, limit=9) == (0, 0, 0)
    assert grid_position((2, 2, 100), 7, 7, limit=9) == (1, 1, 8)


def test_smooth_blurs_and_keeps_the_peak_at_one():
    from cnnexplorer.core.door.gradcam import smooth

    heat = np.zeros((64, 64), np.float32)
    heat[32, 32] = 1.0
    out = smooth(heat, 2.0)
    assert out.shape == heat.shape and out.max() == pytest.approx(1.0)
    assert out[32, 35] > 0.1 and out[32, 45] < 1e-3  # spread over a few pixels only
    assert not smooth(np.zeros((8, 8), np.float32), 2.0).any()


def test_feature_grid_fill_marks_padding_and_unused_cells():
    grid = feature_grid(np.ones((2, 2, 3), np.float32), pad=1, fill=np.nan)
    assert grid.shape == (5, 5)
    assert np.isnan(grid[2, :]).all() and np.isnan(grid[3:, 3:]).all()  # pad row, empty cell
    assert not np.isnan(grid[:2, :2]).any()


def test_hirescam_sums_to_the_log_odds_for_a_dense_head():
    """HappyModel: logit = sum(max_pool * W) + b, so HiResCAM's signed map adds up to it."""
    door = DoorModel(tiny_happy_model(3), "happymodel")
    ins = Inspector(door)
    img = face(True, 64, 5)
    cam = ins.gradcam(img, "max_pool", target="happy", method="hirescam")
    p = door.probability(img)
    logit = np.log(p / (1 - p))
    bias = float(door.model.get_layer("fc").bias.numpy()[0])
    assert cam.contributions.shape == (32, 32)
    assert float(cam.contributions.sum()) + bias == pytest.approx(logit, rel=1e-3, abs=1e-3)
    with pytest.raises(ConfigError, match="method"):
        ins.gradcam(img, method="saliency")


def test_hirescam_also_finds_the_colour_evidence(colour_door):
    ins = Inspector(colour_door)
    happy = ins.gradcam(_image(), "relu", target="happy", method="hirescam")
    sad = ins.gradcam(_image(), "relu", target="not happy", method="hirescam")
    assert _mass(happy.heatmap, slice(0, 8), slice(0, 8)) > 0.95
    assert _mass(sad.heatmap, slice(8, 16), slice(8, 16)) > 0.95


def test_stepping_through_layers_traces_each_once_and_warns_of_no_retracing(caplog):
    """Look inside's layer picker stepped back and forth: each layer's maps and heatmap
    function was a fresh tf.function of the same Python code, and TensorFlow counts traces per
    code object, so the sixth layer printed "triggered tf.function retracing". Each layer is
    traced once into a concrete function (which the counter does not watch), and a second
    visit reuses it."""
    import logging

    import keras

    inp = keras.Input((16, 16, 3))
    x = inp
    for i in range(7):
        x = keras.layers.Conv2D(2, 3, padding="same", activation="relu", name=f"c{i}")(x)
    out = keras.layers.Dense(1, activation="sigmoid")(keras.layers.Flatten()(x))
    inspector = Inspector(DoorModel(keras.Model(inp, out), "deep.keras"))
    names = [info.name for info in inspector.layers]
    assert len(names) >= 7
    image = _image()
    with caplog.at_level(logging.WARNING, logger="tensorflow"):
        for name in names:
            inspector.layer_maps(image, name)
            inspector.gradcam(image, name)
        first = {n: (inspector._maps_fn(n)[0], inspector._cam_fn(n)) for n in names}
        for name in reversed(names):  # a second visit: the same functions, no new trace
            inspector.layer_maps(image, name)
            inspector.gradcam(image, name)
            assert inspector._maps_fn(name)[0] is first[name][0]
            assert inspector._cam_fn(name) is first[name][1]
            for fn in first[name]:
                assert fn.graph is not None  # a concrete function: traced once, for good
    assert not [r for r in caplog.records if "retracing" in r.getMessage()]
