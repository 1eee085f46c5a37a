"""The Training panel's settings: dataset choice and hyperparameters -> a core TrainConfig."""

from __future__ import annotations

from PySide6.QtWidgets import (QCheckBox, QComboBox, QDoubleSpinBox, QFormLayout, QSpinBox,
                               QWidget)

from cnnexplorer.core.train.config import OPTIMIZERS, SCHEDULES, TrainConfig

DATA_PANEL = "__session__"


class TrainingForm(QWidget):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.dataset_combo = QComboBox()
        self.dataset_combo.setToolTip("The Data panel's dataset, or a built-in generated set")
        self.epochs = QSpinBox()
        self.epochs.setRange(1, 10_000)
        self.epochs.setValue(10)
        self.batch_size = QSpinBox()
        self.batch_size.setRange(1, 4096)
        self.batch_size.setValue(32)
        self.lr = QDoubleSpinBox()
        self.lr.setDecimals(5)
        self.lr.setRange(0.00001, 10.0)
        self.lr.setSingleStep(0.0005)
        self.lr.setValue(0.001)
        self.optimizer = QComboBox()
        self.optimizer.addItems([o for o in OPTIMIZERS])
        self.momentum = QDoubleSpinBox()
        self.momentum.setRange(0.0, 0.999)
        self.momentum.setSingleStep(0.05)
        self.momentum.setValue(0.9)
        self.validation = QDoubleSpinBox()
        self.validation.setRange(0.0, 0.5)
        self.validation.setSingleStep(0.05)
        self.validation.setValue(0.1)
        self.seed = QSpinBox()
        self.seed.setRange(0, 2 ** 31 - 1)
        self.early = QSpinBox()
        self.early.setRange(0, 1000)
        self.early.setSpecialValueText("off")
        self.schedule = QComboBox()
        self.schedule.addItems(list(SCHEDULES))
        self.augment = QCheckBox("Augment (the Data panel's setting, else the course default)")
        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        form.addRow("Dataset", self.dataset_combo)
        form.addRow("Epochs", self.epochs)
        form.addRow("Batch size", self.batch_size)
        form.addRow("Learning rate", self.lr)
        form.addRow("Optimizer", self.optimizer)
        form.addRow("Momentum (SGD)", self.momentum)
        form.addRow("Validation split", self.validation)
        form.addRow("Seed", self.seed)
        form.addRow("Early stopping", self.early)
        form.addRow("LR schedule", self.schedule)
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
