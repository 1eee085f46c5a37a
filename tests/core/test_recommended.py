"""Recommended first-run settings, checked against the rules they claim: each validates as
given, names a network that takes its dataset's images and classes, trains a step with its
settings, and says what to expect in words computed from its measurements."""

import math
from dataclasses import fields
from datetime import date

import numpy as np
import pytest

from cnnexplorer.core.arch.zoo import registry
from cnnexplorer.core.data import builtin_names
from cnnexplorer.core.data.base import Dataset
from cnnexplorer.core.data.generated import load_builtin
from cnnexplorer.core.train.config import TrainConfig
from cnnexplorer.core.train.engine import ArchSpec, train
from cnnexplorer.core.train.recommended import (
    PLAIN_VS_RESIDUAL,
    RECOMMENDED,
    SMALL_SET,
    SMALL_SET_MAX,
    Recommendation,
    recommended,
    small_set_settings,
)

ALL = RECOMMENDED + (PLAIN_VS_RESIDUAL,)


def _ids(rec):
    return f"{rec.architecture}-{rec.dataset}"


@pytest.mark.parametrize("rec", ALL, ids=_ids)
def test_each_recommendation_validates_as_given(rec):
    """Its settings are TrainConfig settings that validate unchanged (nothing coerced or
    dropped), its options are the zoo entry's, in range, and its date is a real date."""
    config = rec.config()
    assert set(rec.settings) <= {f.name for f in fields(TrainConfig)}
    for name, value in rec.settings.items():
        assert getattr(config, name) == value, name
    entry = registry.get(rec.architecture)
    assert entry.config(options=rec.options).options == {**entry.config().options,
                                                         **rec.options}
    assert rec.epochs == config.epochs
    date.fromisoformat(rec.measured)  # raises on anything but YYYY-MM-DD
    assert rec.dataset in builtin_names()


@pytest.mark.slow
@pytest.mark.parametrize("rec", ALL, ids=_ids)
def test_each_recommendation_fits_its_dataset_and_trains(rec, tmp_path):
    """What the Training panel fills in trains: the network takes the dataset's own images
    (the zoo's shape rules, no adaptation) and classes, and one epoch of the recommended
    settings (optimizer, learning rate, batch, split, schedule, augmentation) on a slice of
    the set runs to the end with a finite loss (the preset: its shape only)."""
    dataset = load_builtin(rec.dataset)
    classes = 1 if dataset.num_classes == 2 else dataset.num_classes
    network = registry.get(rec.architecture).network(dataset.input_shape, classes, rec.options)
    assert network.node(network.outputs[0]).output_shape == (classes,)
    if rec is PLAIN_VS_RESIDUAL:
        # its depth-20 network's first step is a minute of graph tracing under load
        # (measured 2026-12-03, 47 s at load 9); the preset's runs are trained by
        # tests/test_cli_train_preset.py and the Training panel's tests, shrunk
        return
    # about two batches after the validation split, the same count from every class
    config = rec.config(epochs=1)
    per_class = math.ceil(2 * config.batch_size / (1 - config.validation_split)
                          / dataset.num_classes) + 1
    keep = np.sort(np.concatenate([np.flatnonzero(dataset.y_train == c)[:per_class]
                                   for c in range(dataset.num_classes)]))
    small = Dataset(dataset.name, dataset.class_names, dataset.x_train[keep],
                    dataset.y_train[keep])
    result = train(ArchSpec(rec.architecture, rec.options), small, config, out=tmp_path / "run")
    assert result.status == "finished", result.message
    assert len(result.history) == 1 and math.isfinite(result.history[0]["loss"])


def test_the_small_set_settings_validate_and_are_handed_out_whole():
    """SMALL_SET is a valid TrainConfig, handed out for 1..SMALL_SET_MAX images only, as a
    copy (a caller changing its augmentation must not change the next caller's)."""
    assert TrainConfig(**SMALL_SET).augment_config() is not None
    for images in (0, None, SMALL_SET_MAX + 1):
        assert small_set_settings(images) is None
    given = small_set_settings(SMALL_SET_MAX)
    assert given == SMALL_SET
    given["augment"]["mirror"] = 0.0
    assert small_set_settings(1)["augment"] == SMALL_SET["augment"] != given["augment"]


def test_the_first_run_is_the_course_setting_and_shows_learning():
    """The course's Happy House notebook fits HappyModel with Adam, 10 epochs, batch 16
    (`happyModel.fit(x=X_train, y=Y_train, epochs=10, batch_size=16)`): the first run's
    recommendation is that, without augmentation (it slows a first run down), measured to
    take at most a minute and a half."""
    rec = recommended("happymodel", "happy-faces")
    cfg = rec.config()
    assert (cfg.epochs, cfg.batch_size, cfg.optimizer) == (10, 16, "adam")
    assert cfg.augment_config() is None
    assert rec.seconds <= 90
    assert rec.expectation().startswith(rec.accuracy_text() + " after 10 epochs, ~40 s")
    assert recommended("happymodel", "digits") is None
    assert recommended("happymodel", None) is None


def test_the_expectation_states_mean_spread_and_range_of_the_seeds():
    """Issue 17: it promised "about 0.85" where seeds gave 0.69-0.88. By hand: 0.6, 0.7 and
    0.8 have the mean 0.70 and the sample standard deviation 0.10."""
    rec = Recommendation("happymodel", "happy-faces", {"epochs": 3}, 0.7, 30, "2026-12-03",
                         accuracies=(0.6, 0.7, 0.8))
    assert rec.accuracy_text() == ("test accuracy of the best model 0.70 ± 0.10 (0.60 to 0.80 "
                                   "over 3 seeds)")
    assert rec.expectation() == rec.accuracy_text() + " after 3 epochs, ~30 s on a 2-core CPU"
    one = Recommendation("lenet5", "digits", {}, 0.912, 30, "2026-12-03")
    assert one.accuracy_text() == "test accuracy of the best model about 0.91 (one run, seed 0)"


def test_a_measured_mean_is_the_mean_of_its_seeds():
    import statistics

    for rec in RECOMMENDED:
        if rec.accuracies:
            assert rec.expected_accuracy == round(statistics.mean(rec.accuracies), 2)
        elif rec.expected_accuracy is not None:
            assert rec.accuracy_text().endswith("(one run, seed 0)")


def test_the_preset_uses_the_zoo_defaults_so_the_architecture_panel_agrees():
    for key in ("plain_net", "residual_net"):
        assert registry.get(key).config().options == {**registry.get(key).config().options,
                                                       **PLAIN_VS_RESIDUAL.options}
    assert PLAIN_VS_RESIDUAL.expected_accuracy is None and PLAIN_VS_RESIDUAL.seconds <= 330


def test_time_text_rounds_to_what_a_person_says():
    def rec(seconds):
        return Recommendation("happymodel", "happy-faces", {"epochs": 2}, 0.5, seconds, "x")

    assert rec(20).time_text() == "~20 s" and rec(50).time_text() == "~1 min"
    assert rec(290).time_text() == "~5 min" and rec(1500).time_text() == "~25 min"
