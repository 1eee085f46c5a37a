"""Every zoo entry with a classifier gets a head that can learn (issue 12, item 4).

Two classes train as one sigmoid unit (binary cross-entropy): a softmax over one unit answers
1.0 for every image and never learns, which is what keras.applications entries used to get.
More classes get a softmax over that many units.
"""

from __future__ import annotations

import numpy as np
import pytest

from cnnexplorer.core.arch.zoo import registry
from cnnexplorer.core.arch.zoo.applications import FAMILY as APPLICATIONS
from cnnexplorer.core.errors import ConfigError
from cnnexplorer.core.safe_files import MAX_CLASSES

CLASSIFIERS = [e for e in registry.entries() if e.default_classes is not None]
HAND_WRITTEN = [e for e in CLASSIFIERS if e.family != APPLICATIONS]
APPS = [e for e in CLASSIFIERS if e.family == APPLICATIONS]
#: the smallest input every keras.applications entry accepts (Inception v3 needs 75)
APP_INPUT = (75, 75, 3)


def _head(network):
    """(units, activation) of the network's output layer."""
    node = network.node(network.outputs[0])
    return int(network.output_shapes[0][-1]), getattr(node.layer, "activation", None)


def _assert_head(network, classes: int, key: str):
    units, activation = _head(network)
    if classes == 1:
        assert (units, activation) == (1, "sigmoid"), f"{key}: {units} x {activation}"
    else:
        assert (units, activation) == (classes, "softmax"), f"{key}: {units} x {activation}"


@pytest.mark.parametrize("entry", HAND_WRITTEN, ids=lambda e: e.key)
@pytest.mark.parametrize("classes", [1, 6])
def test_hand_written_entries_have_a_learnable_head(entry, classes):
    _assert_head(entry.network(None, classes), classes, entry.key)


def test_the_test_sees_every_keras_application():
    assert {e.key for e in APPS} >= {"mobilenet", "mobilenetv2", "inceptionv3", "resnet50v2",
                                     "densenet121", "efficientnetb0", "xception"}


@pytest.mark.slow
def test_keras_applications_get_a_sigmoid_unit_for_two_classes_and_a_softmax_for_more():
    for entry in APPS:
        _assert_head(entry.network(APP_INPUT, 1), 1, entry.key)
    _assert_head(APPS[0].network(APP_INPUT, 6), 6, APPS[0].key)


@pytest.mark.slow
def test_a_two_class_keras_application_trains_its_loss_falls_and_answers_vary(tmp_path):
    from cnnexplorer.core.data import Dataset
    from cnnexplorer.core.train.engine import ArchSpec, TrainConfig, train

    rng = np.random.default_rng(0)
    x = rng.integers(0, 60, (24, 32, 32, 3), dtype=np.uint8)
    y = np.arange(24) % 2
    x[y == 1] += 150  # bright versus dark: learnable in a few steps
    ds = Dataset("bright", ["dark", "bright"], x, y.astype(np.int64))
    result = train(ArchSpec("mobilenet", {"alpha": 0.25}), ds,
                   TrainConfig(epochs=3, batch_size=8, learning_rate=3e-3,
                               validation_split=0),
                   out=tmp_path / "run")
    assert result.status == "finished", result.message
    last = result.model.layers[-1]
    assert result.model.output_shape[-1] == 1 and last.activation.__name__ == "sigmoid"
    losses = [h["loss"] for h in result.history]
    assert losses[-1] < losses[0], losses
    # not the constant 1.0 of a one-unit softmax: the answer depends on the image (batch
    # statistics: three short epochs leave the moving averages of batch norm unsettled)
    p = np.asarray(result.model(x.astype(np.float32) / 255, training=True))[:, 0]
    assert p.max() - p.min() > 1e-3 and p.min() < 0.999


def test_classes_are_bounded_before_anything_is_built():
    with pytest.raises(ConfigError, match="at most 100,000"):
        registry.get("mobilenet").config(None, 10**9)
    assert registry.get("lenet5").config(None, MAX_CLASSES).classes == MAX_CLASSES
