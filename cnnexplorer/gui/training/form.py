"""The Training panel's settings: what trains (its own architecture choice), on which
dataset, where the weights start (scratch, the door model, a saved run: fine-tuning) and
the hyperparameters -> a core TrainConfig.

Picking an architecture or a dataset fills the settings in by the rule `cnnexplorer train`
applies to settings not given (core.train.recommended.starting_settings): a measured
recommendation for the pair, else the small-set settings for a Data panel set of at most
SMALL_SET_MAX training images; the line under the choices says which and what to expect. Augmentation is the
session's one setting (the Data panel's sliders): the checkbox here turns it on and off and
the line under it shows the strengths, the same as the Data panel.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (QCheckBox, QComboBox, QFormLayout, QLabel,
                               QSpinBox, QWidget)

from cnnexplorer.core.train.config import TrainConfig
from cnnexplorer.core.train.distribute import plan as distribution_plan
from cnnexplorer.core.data import builtin_names
from cnnexplorer.core.data.augment import AugmentConfig
from cnnexplorer.core.door.bundled_data import seen_by_the_door_note
from cnnexplorer.core.train.recommended import SMALL_SET_MAX, starting_settings
from cnnexplorer.gui.widgets.setting_control import setting_control

DATA_PANEL = "__session__"
#: "start from" choices: (label, key); the key is what `start_from_key` returns
START_FROM = (("scratch (random weights)", "scratch"),
              ("the door model (fine-tune)", "door"),
              ("the saved run selected below (fine-tune)", "run"))


def setting_widget(name: str) -> QWidget:
    """The control of one TrainConfig setting, made from its declaration (core.setting, the
    same builder as the zoo's options: gui/widgets/setting_control.py)."""
    return setting_control(TrainConfig.settings()[name][0])


def setting_label(name: str) -> str:
    label = TrainConfig.settings()[name][0].label
    return label[:1].upper() + label[1:]


class TrainingForm(QWidget):
    #: the augmentation the user turned on (an AugmentConfig) or off (None)
    augment_requested = Signal(object)
    #: the architecture or dataset choice changed (after a recommendation was applied)
    choice_changed = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.arch_combo = QComboBox()
        self.arch_combo.setToolTip("The network to train (the Architecture panel's choice "
                                   "until you pick another here)")
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
        self.devices = setting_widget("distribute")
        # multi-worker runs take TF_CONFIG and one process per machine: the command line's
        self.devices.removeItem(self.devices.findText("multiworker"))
        self.devices_label = QLabel("checking the devices...")
        self.devices_label.setWordWrap(True)
        small = self.devices_label.font()
        small.setPointSizeF(max(6.0, small.pointSizeF() * 0.85))
        self.devices_label.setFont(small)
        self._gpus: int | None = None  # unknown until the panel's look-up reports
        self.augment = QCheckBox("Augment training batches")
        self.augment.setToolTip("One setting with the Data panel's sliders: set the strengths "
                                "there, turn augmentation on or off here or there")
        self.augment_text = QLabel("off")
        self.augment_text.setWordWrap(True)
        self.expectation = QLabel("")
        self.expectation.setWordWrap(True)
        self.start_from = QComboBox()
        for label, key in START_FROM:
            self.start_from.addItem(label, key)
        self.start_from.setToolTip("Fine-tuning trains the starting model's own architecture "
                                   "from its weights (the Architecture panel's choice is not "
                                   "used); its head is replaced when the classes differ")
        self.freeze = QSpinBox()
        self.freeze.setRange(0, 10_000)
        self.freeze.setToolTip("Keep the first N layers of the starting model fixed")
        self.freeze.setEnabled(False)
        self.start_from.currentIndexChanged.connect(self._on_start_from_changed)
        # "the door model" on a set the door trained with: say why its score is high
        self.start_note = QLabel("")
        self.start_note.setObjectName("start_from_note")
        self.start_note.setWordWrap(True)
        self.start_note.hide()
        # long entries ("resnet50_course: ResNet-50 as in the course ...") must not widen the
        # settings column: the tabs beside it need the room at 1024 px (issue 17)
        for combo in (self.arch_combo, self.dataset_combo, self.start_from):
            combo.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(16)
        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        form.addRow("Architecture", self.arch_combo)
        form.addRow("Dataset", self.dataset_combo)
        form.addRow(self.expectation)
        form.addRow("Start from", self.start_from)
        form.addRow(self.start_note)
        form.addRow("Freeze first layers", self.freeze)
        for name, widget in (("epochs", self.epochs), ("batch_size", self.batch_size),
                             ("learning_rate", self.lr), ("optimizer", self.optimizer),
                             ("momentum", self.momentum), ("validation_split", self.validation),
                             ("seed", self.seed), ("early_stopping", self.early),
                             ("lr_schedule", self.schedule), ("distribute", self.devices)):
            form.addRow(setting_label(name), widget)
        form.addRow("", self.devices_label)
        form.addRow(self.augment, self.augment_text)
        self._augment = None  # the session's AugmentConfig (None: off)
        self._last_augment = None  # what ticking the box turns back on
        self._fill_architectures()
        self.set_session_dataset(None)
        self.arch_combo.activated.connect(lambda _i: self._on_choice_changed())
        self.dataset_combo.activated.connect(lambda _i: self._on_choice_changed())
        self.augment.toggled.connect(self._on_augment_toggled)
        self.batch_size.valueChanged.connect(self._show_devices)
        self.devices.currentIndexChanged.connect(self._show_devices)

    # -- on which devices ------------------------------------------------------------------
    def set_gpus(self, gpus: int) -> None:
        """The GPUs TensorFlow sees (found in a worker thread: importing it takes seconds)."""
        self._gpus = gpus
        self._show_devices()

    def _show_devices(self) -> None:
        """What a run will use, in the core's words: "CPU: batch 32 per replica, 32 per step"."""
        if self._gpus is not None:
            self.devices_label.setText(distribution_plan(
                self.devices.currentText(), self._gpus, self.batch_size.value()))

    # -- what trains ---------------------------------------------------------------------
    def _fill_architectures(self) -> None:
        from cnnexplorer.core.arch.zoo import registry

        for entry in registry.entries():
            if entry.default_classes is not None:  # a whole network, not a building block
                self.arch_combo.addItem(f"{entry.key}: {entry.title}", entry.key)

    def architecture_key(self) -> str | None:
        return self.arch_combo.currentData()

    def set_architecture(self, key: str) -> bool:
        """Select a zoo key (the Architecture panel's choice); False when it cannot train."""
        i = self.arch_combo.findData(key)
        if i < 0:
            return False
        if i != self.arch_combo.currentIndex():
            self.arch_combo.setCurrentIndex(i)
            self._on_choice_changed()
        return True

    def set_session_dataset(self, dataset) -> None:
        """Refill the dataset choice: the Data panel's set first (when there is one)."""
        current = self.dataset_key()
        self.dataset_combo.clear()
        if dataset is not None:
            self.dataset_combo.addItem(f"Data panel: {dataset.name}", DATA_PANEL)
        for name in builtin_names():
            self.dataset_combo.addItem(f"built-in: {name}", name)
        i = self.dataset_combo.findData(DATA_PANEL if dataset is not None else current)
        self.dataset_combo.setCurrentIndex(max(0, i))
        self._dataset_name = dataset.name if dataset is not None else None
        self._dataset_train_images = len(dataset.y_train) if dataset is not None else None
        self._on_choice_changed()

    def set_dataset(self, key: str) -> None:
        i = self.dataset_combo.findData(key)
        if i >= 0:
            self.dataset_combo.setCurrentIndex(i)
            self._on_choice_changed()

    def _on_start_from_changed(self, _index: int = 0) -> None:
        self.freeze.setEnabled(self.start_from_key() != "scratch")
        self._show_start_note()

    def _show_start_note(self) -> None:
        note = (seen_by_the_door_note(self.dataset_name())
                if self.start_from_key() == "door" else None)
        self.start_note.setText(f"<small>{note}</small>" if note else "")
        self.start_note.setVisible(bool(note))

    def start_from_key(self) -> str:
        """"scratch", "door" or "run" (the saved run selected in the panel's list)."""
        return self.start_from.currentData()

    def dataset_key(self) -> str | None:
        return self.dataset_combo.currentData()

    def dataset_name(self) -> str | None:
        key = self.dataset_key()
        return self._dataset_name if key == DATA_PANEL else key

    def train_images(self) -> int | None:
        """The chosen set's training images, for the small-set rule: the Data panel's set is
        loaded and counted; a built-in set is generated only when a run starts (None here:
        each has more than SMALL_SET_MAX, 600 at least, so the rule never picks it)."""
        return self._dataset_train_images if self.dataset_key() == DATA_PANEL else None

    # -- recommendations -----------------------------------------------------------------
    def _on_choice_changed(self) -> None:
        start = starting_settings(self.architecture_key() or "", self.dataset_name(),
                                  self.train_images())
        if start is None:
            self.expectation.setText("<small>No measured recommendation for this pair: the "
                                     "settings below are kept.</small>")
        elif start.recommendation is not None:
            self.apply(start.settings)
            self.expectation.setText(f"<small><b>Recommended</b> (filled in): "
                                     f"{start.recommendation.expectation()}.</small>")
        else:
            self.apply(start.settings)
            self.expectation.setText(
                f"<small><b>Small set</b> ({start.train_images} training images, at most "
                f"{SMALL_SET_MAX}): the small-set settings, filled in as cnnexplorer train "
                f"takes them: {start.settings_text()}. The best epoch by validation is kept "
                f"(docs/training.md, 'Small sets').</small>")
        self._show_start_note()
        self.choice_changed.emit()

    def apply(self, settings: dict) -> None:
        """Fill in TrainConfig settings (augmentation included; the others keep their
        defaults)."""
        cfg = TrainConfig(**settings)
        self.epochs.setValue(cfg.epochs)
        self.batch_size.setValue(cfg.batch_size)
        self.lr.setValue(cfg.learning_rate)
        self.optimizer.setCurrentText(cfg.optimizer)
        self.validation.setValue(cfg.validation_split)
        self.early.setValue(cfg.early_stopping)
        self.schedule.setCurrentText(cfg.lr_schedule)
        augment = cfg.augment_config()
        if augment != self._augment:
            self.augment_requested.emit(augment)

    def show_preset(self, rec, options: dict) -> None:
        """Select the plain vs residual preset's network, data and settings, and say what
        to expect."""
        self.set_architecture(rec.architecture)
        self.set_dataset(DATA_PANEL if rec.dataset == self._dataset_name else rec.dataset)
        self.apply(rec.settings)
        opts = ", ".join(f"{k}={v}" for k, v in options.items())
        self.expectation.setText(f"<small><b>Preset</b>: plain_net then residual_net "
                                 f"({opts}) on {rec.dataset}: {rec.expectation()}.</small>")

    # -- augmentation: the session's setting -----------------------------------------------
    def show_augment(self, augment) -> None:
        """The session's augmentation changed (here or in the Data panel)."""
        self._augment = augment
        if augment is not None:
            self._last_augment = augment
        self.augment.blockSignals(True)
        self.augment.setChecked(augment is not None)
        self.augment.blockSignals(False)
        self.augment_text.setText(augment.describe() if augment is not None else "off")

    def _on_augment_toggled(self, on: bool) -> None:
        self.augment_requested.emit((self._last_augment or AugmentConfig.course_default())
                                    if on else None)

    def config(self) -> TrainConfig:
        augment = self._augment.to_dict() if self._augment is not None else {}
        return TrainConfig(epochs=self.epochs.value(), batch_size=self.batch_size.value(),
                           learning_rate=self.lr.value(), optimizer=self.optimizer.currentText(),
                           momentum=self.momentum.value(),
                           validation_split=round(self.validation.value(), 3),
                           seed=self.seed.value(), early_stopping=self.early.value(),
                           lr_schedule=self.schedule.currentText(), augment=augment,
                           distribute=self.devices.currentText())
