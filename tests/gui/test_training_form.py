"""The Training form's widgets are made from TrainConfig's declared settings."""

from PySide6.QtWidgets import QComboBox, QDoubleSpinBox, QSpinBox

from cnnexplorer.core.train.config import TrainConfig
from cnnexplorer.gui.training.form import TrainingForm, setting_widget


def test_each_widget_has_the_declared_range_and_default(qtbot):
    for name, (setting, default) in TrainConfig.settings().items():
        widget = setting_widget(name)
        if setting.choices:
            assert isinstance(widget, QComboBox)
            assert [widget.itemText(i) for i in range(widget.count())] == list(setting.choices)
            assert widget.currentText() == default
            continue
        assert isinstance(widget, QSpinBox if setting.is_integer else QDoubleSpinBox), name
        assert widget.value() == default
        # every value the box can take is one the config accepts, and the ends are close
        for end in (widget.minimum(), widget.maximum()):
            assert setting.problem(int(end) if setting.is_integer else end) is None, (name, end)
        assert abs(widget.minimum() - setting.minimum) <= 1.01 * 10.0 ** -setting.decimals
        top = setting.form_maximum if setting.maximum is None else setting.maximum
        assert abs(widget.maximum() - top) <= 1.01 * 10.0 ** -setting.decimals


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
