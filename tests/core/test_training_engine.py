"""The training engine on tiny generated data: learns, stops within a batch, survives NaN."""

import threading

import numpy as np
import pytest

from cnnexplorer.core.train import runs
from cnnexplorer.core.errors import ConfigError, TrainingError
from cnnexplorer.core.train.events import BatchEnd, EpochEnd, TrainFinished, TrainStarted
from cnnexplorer.core.keras.model_io import load_model
from cnnexplorer.core.data.images import scale_pixels
from cnnexplorer.core.train.engine import ArchSpec, TrainConfig, continue_run, train
from separable_data import TINY, separable

def test_a_run_learns_and_is_saved(tmp_path):
    ds = separable(n=150)  # not a multiple of the batch: the last batch is smaller
    events = []
    res = train(TINY, ds, TrainConfig(epochs=4, batch_size=16, learning_rate=0.01,
                                      validation_split=0.2), on_event=events.append)
    assert res.status == "finished", res.message
    hist = res.history
    assert len(hist) == 4
    assert hist[-1]["loss"] < hist[0]["loss"]
    assert hist[-1]["accuracy"] > 0.8  # chance is 0.5
    assert "val_loss" in hist[0] and "learning_rate" in hist[0]
    # events: started, batches and epochs in order, finished last
    assert isinstance(events[0], TrainStarted) and isinstance(events[-1], TrainFinished)
    kinds = [type(e) for e in events[1:-1]]
    assert kinds.count(EpochEnd) == 4 and kinds.count(BatchEnd) == 4 * events[0].steps_per_epoch
    steps = [e.global_step for e in events if isinstance(e, BatchEnd)]
    assert steps == sorted(steps) and len(set(steps)) == len(steps)
    assert all(isinstance(e.loss, float) for e in events if isinstance(e, BatchEnd))
    # each BatchEnd carries its batch's own loss: weighted by the batches' sizes (the last one
    # smaller) they average to the epoch's loss, as Keras computes it
    started = events[0]
    sizes = [16] * (started.steps_per_epoch - 1)
    sizes.append(started.train_samples - sum(sizes))
    assert 0 < sizes[-1] < 16  # the case an unweighted undoing of Keras' mean gets wrong
    for epoch in range(4):
        own = [e.loss for e in events if isinstance(e, BatchEnd) and e.epoch == epoch]
        weighted = sum(n * loss for n, loss in zip(sizes, own)) / sum(sizes)
        assert weighted == pytest.approx(hist[epoch]["loss"], rel=1e-4)
    # the run on disk
    run = runs.open_run(res.run.path)
    assert run.status()["status"] == "finished"
    assert len(run.history()) == 4
    cfg = run.config()
    assert cfg["dataset"]["fingerprint"] == ds.fingerprint
    assert cfg["architecture"]["key"] == "happymodel" and cfg["task"]["binary"] is True
    # reloads and predicts the same as the in-memory model (last.keras = last weights)
    x = scale_pixels(ds.x_test[:8])
    again = load_model(run.last_model_path)
    np.testing.assert_allclose(again.predict(x, verbose=0), res.model.predict(x, verbose=0),
                               rtol=1e-5, atol=1e-6)
    assert run.best_model_path.is_file()
    assert [r.path for r in runs.list_runs()] == [run.path]


def test_multiclass_uses_softmax_and_continue_extends_history():
    ds = separable(n=120, classes=4, test=0)
    res = train(TINY, ds, TrainConfig(epochs=1, batch_size=20, validation_split=0,
                                      optimizer="sgd", learning_rate=0.05, lr_schedule="cosine"))
    assert res.model.output_shape == (None, 4)
    assert "val_loss" not in res.history[0]
    more = continue_run(res.run, ds, 2)
    assert more.status == "finished" and len(more.run.history()) == 3
    assert more.run.status()["epochs_run"] == 3


def test_stop_takes_effect_within_one_batch():
    ds = separable(n=320)
    stop = threading.Event()
    seen = []

    def on_event(e):
        seen.append(e)
        if isinstance(e, BatchEnd) and e.epoch == 1 and e.batch == 2:
            stop.set()

    res = train(TINY, ds, TrainConfig(epochs=5, batch_size=16, validation_split=0),
                on_event=on_event, stop=stop)
    batches = [e for e in seen if isinstance(e, BatchEnd)]
    assert (batches[-1].epoch, batches[-1].batch) == (1, 2)  # no batch after the stop
    assert res.status == "stopped" and "epoch 2 after batch 3" in res.message
    assert len(res.history) == 1  # the partial epoch is not history
    assert runs.open_run(res.run.path).status()["status"] == "stopped"
    assert load_model(res.run.last_model_path) is not None


def test_nan_loss_stops_with_message_and_keeps_last_good_checkpoint():
    ds = separable(n=96, classes=3, test=0)
    good = train(TINY, ds, TrainConfig(epochs=1, batch_size=16, validation_split=0))
    x = scale_pixels(ds.x_train[:4])
    after_epoch1 = good.model.predict(x, verbose=0)
    # continue the same run with a learning rate that overflows the weights
    res = continue_run(good.run, ds, 2, learning_rate=1e30, optimizer="sgd", momentum=0.0)
    assert res.status == "failed"
    assert "loss became nan at epoch 2, batch" in res.message
    assert "learning rate 1e+30" in res.message
    assert "last.keras keeps the weights of epoch 1" in res.message
    model = load_model(res.run.last_model_path)
    np.testing.assert_allclose(model.predict(x, verbose=0), after_epoch1, rtol=1e-5, atol=1e-6)
    run = runs.open_run(res.run.path)
    assert run.status()["status"] == "failed" and len(run.history()) == 1


def test_grayscale_into_a_net_that_needs_more_is_adapted_or_refused():
    # 8x8x1 is too small for the course ResNet-50: it is built at 64x64x3 and the images
    # adapted; a 2-channel set cannot be adapted and is refused with a message.
    from cnnexplorer.core.keras.model_setup import prepare_model

    ds = separable(n=20, size=8, channels=1, classes=3, test=0)
    p = prepare_model(ArchSpec("resnet50_course", {"width": 0.05}), ds)
    assert p.input_shape == (64, 64, 3)
    assert any("grayscale images repeated" in n for n in p.notes)
    ds2 = separable(n=20, size=8, channels=2, classes=3, test=0)
    with pytest.raises(TrainingError, match="2 channels into 3"):
        prepare_model(ArchSpec("resnet50_course", {"width": 0.05}), ds2)


def test_bad_settings_are_refused_by_name():
    with pytest.raises(ConfigError, match="optimizer must be one of adam, sgd, rmsprop; "
                                          "received 'adagrad'"):
        TrainConfig(optimizer="adagrad")
    with pytest.raises(ConfigError, match="learning rate must be a positive number"):
        TrainConfig(learning_rate=-1)
    with pytest.raises(ConfigError, match="unknown training setting"):
        TrainConfig.from_dict({"epochz": 3})


def test_augmented_training_runs_through_the_datasets_pipeline():
    from cnnexplorer.core.train.config import parse_augment

    ds = separable(n=64, test=0)
    augment = parse_augment("mirror,rotation=5")
    assert augment == {"mirror": 0.5, "rotation": 5.0}
    res = train(TINY, ds, TrainConfig(epochs=1, batch_size=16, validation_split=0.25,
                                      augment=augment))
    assert res.status == "finished", res.message
    assert runs.open_run(res.run.path).config()["train"]["augment"] == augment
    with pytest.raises(ConfigError, match="unknown augmentation 'wobble'"):
        parse_augment("wobble")


def test_batch_end_carries_each_batchs_own_values_with_a_smaller_last_batch():
    from types import SimpleNamespace

    from cnnexplorer.core.train.progress import Progress

    state = SimpleNamespace(config=TrainConfig(), run=None, steps=3, n_train=10, global_batch=4,
                            total_epochs=1, val=None)
    seen = []
    progress = Progress(state, seen.append, None, 0, [], 60.0)
    progress.epoch_begin(None, 0)
    # Keras' logs: running means weighted by batch size, of own losses 1, 2, 4 (sizes 4, 4, 2)
    for batch, mean_loss, mean_acc in ((0, 1.0, 0.5), (1, 1.5, 0.75), (2, 2.0, 0.7)):
        progress.batch_end(SimpleNamespace(stop_training=False), batch,
                           {"loss": mean_loss, "accuracy": mean_acc})
    assert [round(e.loss, 6) for e in seen] == [1.0, 2.0, 4.0]  # unweighted gave 3.0 last
    assert [round(e.accuracy, 6) for e in seen] == [0.5, 1.0, 0.5]
