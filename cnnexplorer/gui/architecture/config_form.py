"""The controls of one zoo entry: input H/W/C, classes, and one control per declared option.

Controls are generated from each option's `Setting` (int spin box, float spin box, bool check
box, choice combo; gui/widgets/setting_control.py), so a new option in the core appears here
without GUI code. The form only
collects values; validation is the core's (`ZooEntry.config`), and its message is shown by
`show_error` under the controls.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (QAbstractSpinBox, QFormLayout, QHBoxLayout, QLabel, QSpinBox,
                               QStyle, QVBoxLayout, QWidget)

from cnnexplorer.core.arch.zoo import ZooEntry
from cnnexplorer.core.setting import Setting
from cnnexplorer.gui.widgets.setting_control import control_value, setting_control

_INT_LIMIT = 1_000_000


def _spin(minimum: int, maximum: int, value: int, tip: str = "") -> QSpinBox:
    box = QSpinBox()
    box.setRange(minimum, maximum)
    box.setValue(value)
    box.setKeyboardTracking(False)  # typing "224" recomputes once, not for 2, 22, 224
    box.setAccelerated(True)
    box.setToolTip(tip)
    box.setMinimumWidth(56)
    return box


def option_control(option: Setting, value: Any) -> QWidget:
    """The control of one option (gui/widgets/setting_control.py, as the Training panel's),
    recomputing once per typed value."""
    box = setting_control(option, value)
    if isinstance(box, QAbstractSpinBox):
        box.setKeyboardTracking(False)  # typing "224" recomputes once, not for 2, 22, 224
        box.setAccelerated(True)
    return box


def _connect(box: QWidget, slot) -> None:
    for name in ("toggled", "currentIndexChanged", "valueChanged"):
        signal = getattr(box, name, None)
        if signal is not None:
            signal.connect(slot)
            return


class ConfigForm(QWidget):
    """Input shape, classes and the entry's options; `changed` fires on every edit."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._entry: ZooEntry | None = None
        self._option_boxes: dict[str, tuple[Setting, QWidget]] = {}
        self._quiet = False
        self.height_box = _spin(1, 4096, 64, "input height n_H")
        self.width_box = _spin(1, 4096, 64, "input width n_W")
        self.channels_box = _spin(1, 4096, 3, "input channels n_C (3 for RGB)")
        self.classes_box = _spin(1, _INT_LIMIT, 1, "number of classes (1: one sigmoid unit)")
        for box in (self.height_box, self.width_box, self.channels_box, self.classes_box):
            box.valueChanged.connect(self._on_control_changed)
        shape_row = QHBoxLayout()
        shape_row.setContentsMargins(0, 0, 0, 0)
        for box, sep in ((self.height_box, "x"), (self.width_box, "x"), (self.channels_box, "")):
            shape_row.addWidget(box, 1)
            if sep:
                shape_row.addWidget(QLabel(sep))
        shape_row.setSpacing(2)
        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        # a long option name ("Local Response Normalization") goes above its control rather
        # than widening the zoo column past the window (GoogLeNet at 1440 px, issue 13)
        self.form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        self.form.addRow("Input HxWxC", shape_row)
        self.form.addRow("Classes", self.classes_box)
        self.error_icon = QLabel()
        icon = self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning)
        self.error_icon.setPixmap(icon.pixmap(20, 20))
        self.error_label = QLabel()
        self.error_label.setWordWrap(True)
        self.error_label.setObjectName("config_error")
        self.error_label.setAccessibleName("configuration error")
        error_row = QHBoxLayout()
        error_row.addWidget(self.error_icon, 0)
        error_row.addWidget(self.error_label, 1)
        self.error_box = QWidget()
        self.error_box.setLayout(error_row)
        self.error_box.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(self.form)
        layout.addWidget(self.error_box)

    # -- entry ----------------------------------------------------------------------------------
    def set_entry(self, entry: ZooEntry, input_shape=None, classes=None,
                  options: dict | None = None) -> None:
        """Show `entry`'s controls with the given values (defaults for what is missing)."""
        self._quiet = True
        try:
            self._entry = entry
            shape = tuple(input_shape or entry.default_input)
            for box, v in zip((self.height_box, self.width_box, self.channels_box), shape):
                box.setValue(int(v))
            has_classes = entry.default_classes is not None
            self.classes_box.setEnabled(has_classes)
            # The special text shows at the minimum: 0 ("none") for a block on its own, and
            # 1 (one sigmoid unit) for an entry with a classifier.
            self.classes_box.setMinimum(1 if has_classes else 0)
            self.classes_box.setSpecialValueText("1 (one sigmoid unit)" if has_classes
                                                 else "none (no classifier)")
            self.classes_box.setValue(int(classes or entry.default_classes or 1)
                                      if has_classes else 0)
            self.classes_box.setToolTip("number of classes (1: one sigmoid unit)" if has_classes
                                        else f"{entry.title} has no classifier")
            while self.form.rowCount() > 2:
                self.form.removeRow(2)
            self._option_boxes.clear()
            values = {o.key: o.default for o in entry.options}
            values.update(options or {})
            for option in entry.options:
                box = option_control(option, values[option.key])
                box.setObjectName(f"option_{option.key}")
                _connect(box, self._on_control_changed)
                self.form.addRow(option.label, box)
                self._option_boxes[option.key] = (option, box)
        finally:
            self._quiet = False
        self.clear_error()

    def entry(self) -> ZooEntry | None:
        return self._entry

    def option_box(self, key: str) -> QWidget:
        return self._option_boxes[key][1]

    def values(self) -> tuple[tuple[int, int, int], int | None, dict[str, Any]]:
        """(input shape, classes or None, options) as the controls show them."""
        shape = (self.height_box.value(), self.width_box.value(), self.channels_box.value())
        classes = self.classes_box.value() if self.classes_box.isEnabled() else None
        options = {k: control_value(o, box) for k, (o, box) in self._option_boxes.items()}
        return shape, classes, options

    # -- messages -------------------------------------------------------------------------------
    def show_error(self, message: str) -> None:
        self.error_label.setText(message + "\nThe table and charts still show the last valid "
                                           "configuration.")
        self.error_box.show()

    def clear_error(self) -> None:
        self.error_label.clear()
        self.error_box.hide()

    def error_text(self) -> str:
        return self.error_label.text() if self.error_box.isVisibleTo(self) else ""

    def _on_control_changed(self, *_args) -> None:
        if not self._quiet:
            self.changed.emit()
