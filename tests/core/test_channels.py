"""One channel rule for training, evaluation and the door (core.train.inputs.adapt_channels)."""

import numpy as np
import pytest

from cnnexplorer.core.door.prepare import prepare_face
from cnnexplorer.core.errors import TrainingError
from cnnexplorer.core.data.adapt import adapt_channels, adapt_images, adaptation_notes


def colour(seed=0, shape=(2, 8, 8, 3)):
    return np.random.default_rng(seed).integers(0, 256, shape, dtype=np.uint8)


def test_colour_to_grey_is_pillow_luma():
    from PIL import Image

    x = colour(shape=(8, 8, 3))
    grey = adapt_channels(x, 1)
    assert grey.shape == (8, 8, 1) and grey.dtype == np.uint8
    pil = np.asarray(Image.fromarray(x).convert("L"))
    assert np.abs(grey[..., 0].astype(int) - pil).max() <= 1


def test_grey_to_colour_repeats_and_2d_images_are_grey():
    g = colour(shape=(8, 8, 1))
    rgb = adapt_channels(g, 3)
    assert rgb.shape == (8, 8, 3) and (rgb == g).all()
    assert adapt_channels(g[..., 0], 1).shape == (8, 8, 1)


def test_alpha_is_dropped_for_colour_and_grey_models():
    rgba = colour(shape=(1, 8, 8, 4))
    assert (adapt_channels(rgba, 3) == rgba[..., :3]).all()
    assert (adapt_channels(rgba, 1) == adapt_channels(rgba[..., :3], 1)).all()
    assert "alpha" in adaptation_notes((8, 8, 4), (8, 8, 1))[0]


def test_unsound_conversion_is_refused_with_the_counts():
    with pytest.raises(TrainingError, match="2 channels"):
        adapt_channels(np.zeros((1, 4, 4, 2), np.uint8), 3)


def test_training_and_the_door_adapt_a_colour_frame_identically():
    x = colour(seed=3, shape=(1, 16, 16, 3))
    trained = adapt_images(x, (16, 16, 1))[0]
    judged = prepare_face(x[0], (16, 16, 1))
    assert (trained == judged).all()
