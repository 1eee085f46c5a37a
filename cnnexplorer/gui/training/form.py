"""The Training panel's settings: dataset choice and hyperparameters -> a core TrainConfig."""

from __future__ import annotations

from PySide6.QtWidgets import (QCheckBox, QComboBox, QDoubleSpinBox, QFormLayout, QSpinBox,
                               QWidget)

from cnnexplorer.core.train.config import TrainConfig

DATA_PANEL = "__session__"


def setting_widget(name: str) -> QWidget:
    """A spin box or choice box for one TrainConfig setting: range, step and default from its
    declaration (core.train.config.Setting), its help as the tooltip."""
    setting, default = TrainConfig.settings()[name]
    if setting.choices:
        widget = QComboBox()
        widget.addItems(list(setting.choices))
        widget.setCurrentText(default)
    elif setting.is_integer:
        widget = QSpinBox()
        widget.setRange(int(setting.minimum), int(setting.maximum))
        widget.setValue(default)
    else:
        # an open end of the range becomes the nearest value the box can show
        smallest = 10.0 ** -setting.decimals
        widget = QDoubleSpinBox()
        widget.setDecimals(setting.decimals)
        widget.setRange(setting.minimum + (smallest if setting.open_min else 0.0),
                        setting.form_maximum if setting.maximum is None else
                        setting.maximum - (smallest if setting.open_max else 0.0))
        widget.setSingleStep(setting.step)
        widget.setValue(default)
    widget.setToolTip(setting.help or setting.label)
    return widget


def setting_label(name: str) -> str:
    label = TrainConfig.settings()[name][0].label
    return label[:1].upper() + label[1:]


class TrainingForm(QWidget):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.dataset_combo = QComboBox()
        self.dataset_combo.setToolTip("The Data panel's dataset, or a built-in generated set")
        self.epochs = setting_widget("epochs")
        self.batch_size = setting_widget("batch_size")
        self.lr = setting_widget("learning_rate")
        self.optimizer = setting_widget("optimizer")
        self.momentum = setting_widget("momentum")
        self.validation = setting_widget("validation_split")
        self.seed = setting_widget("seed")
        self.early = setting_widget("early_stopping")
        self.early.setSpecialValueText("off")
        self.schedule = setting_widget("lr_schedule")
        self.augment = QCheckBox("Augment (the Data panel's setting, else the course default)")
        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        form.addRow("Dataset", self.dataset_combo)
        for name, widget in (("epochs", self.epochs), ("batch_size", self.batch_size),
                             ("learning_rate", self.lr), ("optimizer", self.optimizer),
                             ("momentum", self.momentum), ("validation_split", self.validation),
                             ("seed", self.seed), ("early_stopping", self.early),
                             ("lr_schedule", self.schedule)):
            form.addRow(setting_label(name), widget)
        form.addRow(self.augment)
        self.set_session_dataset(None)

    def set_session_dataset(self, dataset) -> None:
        """Refill the dataset choice: the Data panel's set first (when there is one)."""
        from cnnexplorer.core.data import builtin_names

        current = self.dataset_key()
        self.dataset_combo.clear()
        if dataset is not None:
            self.dataset_combo.addItem(f"Data panel: {dataset.name}", DATA_PANEL)
        for name in builtin_names():
            self.dataset_combo.addItem(f"built-in: {name}", name)
        i = self.dataset_combo.findData(DATA_PANEL if dataset is not None else current)
        self.dataset_combo.setCurrentIndex(max(0, i))

    def dataset_key(self) -> str | None:
        return self.dataset_combo.currentData()

    def config(self, augment_config=None) -> TrainConfig:
        augment = {}
        if self.augment.isChecked():
            from cnnexplorer.core.data.augment import AugmentConfig

            augment = (augment_config or AugmentConfig.course_default()).to_dict()
        return TrainConfig(epochs=self.epochs.value(), batch_size=self.batch_size.value(),
                           learning_rate=self.lr.value(), optimizer=self.optimizer.currentText(),
                           momentum=self.momentum.value(),
                           validation_split=round(self.validation.value(), 3),
                           seed=self.seed.value(), early_stopping=self.early.value(),
                           lr_schedule=self.schedule.currentText(), augment=augment)
