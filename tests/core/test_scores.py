"""Which epoch best.keras holds, and the words that quote its accuracy (issue 17)."""

import math

from cnnexplorer.core.train.scores import best_epoch

# the best model (lowest validation loss) is epoch 2; the last epoch has the highest
# validation accuracy: the numbers a student once met as "acc 82%" against Evaluate's 76.7%
HISTORY = [
    {"loss": 0.9, "accuracy": 0.55, "val_loss": 0.80, "val_accuracy": 0.60},
    {"loss": 0.5, "accuracy": 0.80, "val_loss": 0.54, "val_accuracy": 0.72},
    {"loss": 0.2, "accuracy": 0.95, "val_loss": 0.70, "val_accuracy": 0.82},
]


def test_best_epoch_is_the_lowest_validation_loss_not_the_last():
    best = best_epoch(HISTORY)
    assert (best.epoch, best.epochs, best.monitor) == (2, 3, "val_loss")
    assert best.val_accuracy == 0.72 and best.accuracy == 0.80
    assert best.short_text() == "val acc 72% at best epoch 2"
    assert "epoch 2 of 3 (lowest validation loss), validation accuracy 72.0%" in best.long_text()


def test_without_validation_the_training_loss_decides_and_ties_keep_the_earliest():
    hist = [{"loss": 0.5, "accuracy": 0.7}, {"loss": 0.4, "accuracy": 0.8},
            {"loss": 0.4, "accuracy": 0.9}]
    best = best_epoch(hist)
    assert (best.epoch, best.monitor, best.val_accuracy) == (2, "loss", None)
    assert best.short_text() == "train acc 80% at best epoch 2"
    assert "no validation split" in best.long_text()


def test_non_finite_epochs_are_never_best_and_an_empty_history_has_none():
    hist = [{"loss": math.nan, "val_loss": math.nan}, {"loss": 1.0, "val_loss": 2.0,
                                                        "val_accuracy": 0.5}]
    assert best_epoch(hist).epoch == 2
    assert best_epoch([]) is None
    assert best_epoch([{"loss": math.inf}]) is None


def test_a_run_summary_names_the_best_epoch(tmp_path):
    from cnnexplorer.core.train import runs

    run = runs.create_run({"architecture": {"key": "happymodel"}}, root=tmp_path, name="r")
    run.write_history(HISTORY)
    s = run.summary()
    assert s["val_accuracy"] == 0.82  # the last epoch's, as before
    assert s["best"].epoch == 2 and s["best"].val_accuracy == 0.72


def test_evaluate_names_the_model_it_scores(tmp_path, monkeypatch):
    """Evaluate's title says which model its test accuracy is of: the best epoch's."""
    from types import SimpleNamespace

    from cnnexplorer.core.train import jobs, runs

    run = runs.create_run({"architecture": {"key": "happymodel"}}, root=tmp_path, name="r")
    run.write_history(HISTORY)
    run.best_model_path.write_bytes(b"a model")
    loaded = []
    monkeypatch.setattr(runs.Run, "load_model", lambda self, which="best": loaded.append(which))
    ds = SimpleNamespace(name="happy-faces", fingerprint="f", x_test="test images",
                         x_train="train images")
    monkeypatch.setattr(jobs, "_dataset_for_run", lambda run, session_ds, fallback: ds)
    monkeypatch.setattr(jobs, "evaluate", lambda model, d: SimpleNamespace(
        split="test", accuracy=0.8, loss=0.4, images=2))
    result, images, title, path, name = jobs.evaluate_job(run, None, None)(None, None)
    assert loaded == ["best"] and images == "test images" and path.endswith("best.keras")
    assert "the best model: epoch 2 of 3 (lowest validation loss)" in str(title)
    assert "on happy-faces" in str(title) and "<" not in str(title)  # no HTML from the core
    # and the run keeps it as its test accuracy, of the epoch the title names
    assert [(t["accuracy"], t["best_epoch"], t["by"]) for t in run.tests()] == [(0.8, 2, "evaluate")]
