"""Transfer learning: the new head, frozen blocks stay unchanged, the cached-activation path."""

import numpy as np
import pytest

from cnnexplorer.core.train import transfer
from cnnexplorer.core.errors import TrainingError
from cnnexplorer.core.train.evaluation import evaluate
from cnnexplorer.core.keras.build import build_keras_model
from cnnexplorer.core.train.engine import TrainConfig, train
from cnnexplorer.core.arch.zoo import registry

from separable_data import TINY, separable


@pytest.fixture(scope="module")
def base_model(tmp_path_factory):
    """A small trained 4-class model whose head transfer learning replaces."""
    res = train(TINY, separable(n=96, classes=4, test=0),
                TrainConfig(epochs=1, batch_size=16, learning_rate=0.01, validation_split=0),
                runs_root=tmp_path_factory.mktemp("base_runs"))
    return res.model


def test_blocks_of_a_spec_and_of_a_bare_model():
    net = registry.build("resnet50_course", width=0.05)
    model = build_keras_model(net)
    named = transfer.model_blocks(model, net)
    assert [b for b, _ in named][:3] == ["stage1", "stage2", "stage3"]
    bare = transfer.model_blocks(model)
    # without the spec: one block for stage 1 and one per residual unit (16 of them)
    assert len(bare) == 17
    assert bare[1][1][0].startswith("res2a_branch")
    assert all("avg_pool" not in n for _, names in bare[:-1] for n in names)


def test_frozen_weights_unchanged_and_head_replaced(base_model):
    ds = separable(n=96, classes=2, test=0, seed=3)
    tm = transfer.build_transfer_model(base_model, ds, freeze_blocks=1)
    model = tm.prepared.model
    assert model.layers[-1].name == transfer.HEAD_NAME and model.output_shape == (None, 1)
    frozen = [l for l in model.layers if not l.trainable and l.weights]
    assert {l.name for l in frozen} >= {"conv0", "bn0"}
    before = {l.name: [w.copy() for w in l.get_weights()] for l in frozen}
    head_before = model.get_layer(transfer.HEAD_NAME).get_weights()[0].copy()
    train(tm.prepared, ds, TrainConfig(epochs=1, batch_size=16, validation_split=0))
    for layer in frozen:
        for a, b in zip(before[layer.name], layer.get_weights()):
            np.testing.assert_array_equal(a, b)
    assert not np.allclose(model.get_layer(transfer.HEAD_NAME).get_weights()[0], head_before)
    with pytest.raises(TrainingError, match="freeze blocks must be 0..1"):
        transfer.build_transfer_model(base_model, ds, freeze_blocks=5)


def test_cached_activations_give_the_same_head_accuracy(base_model):
    ds = separable(n=160, classes=2, test=60, seed=5)
    cfg = TrainConfig(epochs=3, batch_size=16, learning_rate=0.01, validation_split=0, seed=2)
    plain_tm = transfer.build_transfer_model(base_model, ds, freeze_blocks=1, seed=2)
    plain, _ = transfer.train_transfer(plain_tm, ds, cfg, cache=False)
    cached_tm = transfer.build_transfer_model(base_model, ds, freeze_blocks=1, seed=2)
    cached, feats = transfer.train_transfer(cached_tm, ds, cfg, cache=True)
    assert feats.x_train.shape == (160, 4 * 8 * 8) and not feats.from_cache
    assert feats.source.endswith(".h5")
    acc_plain = evaluate(plain.model, ds).accuracy
    acc_cached = evaluate(cached.model, ds).accuracy
    assert abs(acc_plain - acc_cached) <= 0.05, (acc_plain, acc_cached)
    # the run holds the whole network (frozen part + trained head), not the head alone
    from cnnexplorer.core.keras.model_io import load_model

    saved = load_model(cached.run.best_model_path)
    assert saved.input_shape == (None, 16, 16, 3)
    # second time: read from the HDF5 cache
    again = transfer.cached_features(cached_tm, ds)
    assert again.from_cache
    np.testing.assert_array_equal(again.x_train, feats.x_train)
