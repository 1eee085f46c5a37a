"""The Training form's widgets are made from TrainConfig's declared settings, by the builder
the Architecture panel's zoo options use too (gui/widgets/setting_control.py)."""

import pytest
from PySide6.QtWidgets import QCheckBox, QComboBox, QDoubleSpinBox, QSpinBox

from cnnexplorer.core.arch import zoo
from cnnexplorer.core.train.config import TrainConfig
from cnnexplorer.gui.training.form import TrainingForm, setting_widget
from cnnexplorer.gui.widgets.setting_control import control_value, setting_control


def _check_control(setting, widget, default):
    """The control shows the default, offers the choices, and every value it can take is one
    the declaration accepts, with its ends close to the declared ones."""
    if setting.kind == "bool":
        assert isinstance(widget, QCheckBox)
        assert control_value(setting, widget) is bool(default)
        return
    if setting.kind == "choice":
        assert isinstance(widget, QComboBox)
        assert [widget.itemText(i) for i in range(widget.count())] == \
            [str(c) for c in setting.choices]
        assert control_value(setting, widget) == default
        return
    assert isinstance(widget, QSpinBox if setting.is_integer else QDoubleSpinBox), setting.key
    assert control_value(setting, widget) == default
    for end in (widget.minimum(), widget.maximum()):
        assert setting.parse(end) == pytest.approx(end), (setting.key, end)
    slack = 1.01 if setting.is_integer else 1.01 * 10.0 ** -setting.decimals
    if setting.minimum is not None:
        assert abs(widget.minimum() - setting.minimum) <= slack
    top = setting.form_maximum if setting.maximum is None else setting.maximum
    if top is not None:
        assert abs(widget.maximum() - top) <= slack


def test_each_widget_has_the_declared_range_and_default(qtbot):
    for name, (setting, default) in TrainConfig.settings().items():
        _check_control(setting, setting_widget(name), default)


@pytest.mark.parametrize("entry", zoo.entries(), ids=lambda e: e.key)
def test_each_zoo_option_control_comes_from_the_same_builder(qtbot, entry):
    for option in entry.options:
        _check_control(option, setting_control(option), option.default)


def test_the_form_at_its_defaults_gives_the_default_config(qtbot):
    form = TrainingForm()
    qtbot.addWidget(form)
    assert form.config() == TrainConfig()
    form.momentum.setValue(5.0)  # clamped to the declared open range [0, 1)
    assert form.config().momentum == 0.999


def test_the_training_form_shows_the_note_for_the_door_on_such_a_set(qtbot, tmp_path,
                                                                      monkeypatch):
    """Issue 17: "Start from: the door model" on happy-faces scored 98.7%: say why."""
    import json

    from cnnexplorer.core.door import bundled_data

    (tmp_path / "door_model.json").write_text(json.dumps(
        {"data": {"added_to_training": {"happy-faces": "its 600 training images"}}}))
    monkeypatch.setattr(bundled_data, "resource", lambda n: tmp_path / n)
    form = TrainingForm()
    qtbot.addWidget(form)
    form.set_dataset("happy-faces")
    assert form.start_note.isHidden()  # from scratch: nothing to say
    form.start_from.setCurrentIndex(form.start_from.findData("door"))
    assert not form.start_note.isHidden()
    assert "trained with happy-faces too" in form.start_note.text()
    form.set_dataset("digits")
    assert form.start_note.isHidden()


def _bars(n: int):
    """A Data panel set of `n` training images (12x12, two classes)."""
    import numpy as np

    from cnnexplorer.core.data.base import Dataset

    rng = np.random.default_rng(0)
    y = np.arange(n) % 2
    x = (rng.random((n, 12, 12, 3)) * 255).astype(np.uint8)
    return Dataset(f"bars{n}", ["a", "b"], x, y, x[:8], y[:8])


def test_the_form_applies_the_small_set_rule_the_cli_applies(qtbot, tmp_path):
    """Issue 22: `cnnexplorer train` took recommended.SMALL_SET for a set of at most 500
    training images while the Training panel kept its defaults (20 epochs... no augmentation)
    for the same set. Both now ask core.train.recommended.starting_settings."""
    from dataclasses import replace

    from cnnexplorer.cli import build_parser
    from cnnexplorer.commands.train import config_from_args
    from cnnexplorer.core.data.augment import AugmentConfig
    from cnnexplorer.core.train.recommended import SMALL_SET, SMALL_SET_MAX

    form = TrainingForm()
    qtbot.addWidget(form)
    form.augment_requested.connect(form.show_augment)  # the session's round trip
    form.set_architecture("happymodel")
    form.set_session_dataset(_bars(120))
    args = build_parser("train").parse_args(["train", "happymodel", str(tmp_path / "b.npz")])
    cli, start = config_from_args(args, 120)
    assert start is not None and start.recommendation is None  # the small-set rule
    # every setting and the augmentation, as the CLI takes them
    assert replace(form.config(), augment={}) == replace(cli, augment={})
    assert (cli.epochs, cli.lr_schedule) == (SMALL_SET["epochs"], "cosine")
    assert form.augment.isChecked()
    assert form.config().augment_config() == cli.augment_config() == \
        AugmentConfig.from_dict(SMALL_SET["augment"])
    text = form.expectation.text()
    assert "Small set</b> (120 training images" in text and "epochs 40" in text

    # a set above the limit: no rule applies, in the CLI or here; what the form shows stays
    form.epochs.setValue(7)
    form.set_session_dataset(_bars(SMALL_SET_MAX + 2))
    assert config_from_args(args, SMALL_SET_MAX + 2)[1] is None
    assert form.epochs.value() == 7 and "No measured recommendation" in form.expectation.text()
    # a measured recommendation still comes first (a built-in set is never small)
    form.set_dataset("happy-faces")
    assert "Recommended</b>" in form.expectation.text() and not form.augment.isChecked()
