"""The form control of one declared setting (core.setting.Setting), and its value back.

Both panels build their settings from here: the Architecture panel one control per zoo option
(gui/architecture/config_form.py), the Training panel its hyperparameters
(gui/training/form.py). The control offers what the declaration allows (range, step,
decimals, choices); the core still validates what it receives.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QCheckBox, QComboBox, QDoubleSpinBox, QSpinBox, QWidget

from cnnexplorer.core.setting import Setting

#: the reach of a spin box for an end the declaration leaves open
_INT_LIMIT = 1_000_000
_FLOAT_LIMIT = 1e9


def setting_control(setting: Setting, value: Any = None) -> QWidget:
    """A check box (bool), combo box (choice) or spin box (int, float) showing `value`
    (the declared default when None), its help as the tooltip."""
    value = setting.default if value is None else value
    box: QWidget
    if setting.kind == "bool":
        box = QCheckBox()
        box.setChecked(bool(value))
    elif setting.kind == "choice":
        box = QComboBox()
        for choice in setting.choices:
            box.addItem(str(choice), choice)
        box.setCurrentIndex(max(0, box.findText(str(value))))
    elif setting.kind == "int":
        box = QSpinBox()
        low = -_INT_LIMIT if setting.minimum is None else int(setting.minimum)
        high = _INT_LIMIT if setting.maximum is None else int(setting.maximum)
        box.setRange(low + int(setting.open_min), high - int(setting.open_max))
        box.setSingleStep(int(setting.step or 1))
        box.setValue(int(value))
    else:
        # an open end of the range becomes the nearest value the box can show
        smallest = 10.0 ** -setting.decimals
        box = QDoubleSpinBox()
        box.setDecimals(setting.decimals)
        low = -_FLOAT_LIMIT if setting.minimum is None else setting.minimum
        high = (setting.maximum if setting.maximum is not None else
                setting.form_maximum if setting.form_maximum is not None else _FLOAT_LIMIT)
        box.setRange(low + (smallest if setting.open_min else 0.0),
                     high - (smallest if setting.open_max else 0.0))
        box.setSingleStep(setting.step or (0.1 if (setting.maximum or 10) <= 10 else 1.0))
        box.setValue(float(value))
    box.setToolTip(setting.help or setting.label)
    return box


def control_value(setting: Setting, box: QWidget) -> Any:
    """What `box` (made by `setting_control`) shows, as the setting's type."""
    if setting.kind == "bool":
        return box.isChecked()  # type: ignore[attr-defined]
    if setting.kind == "choice":
        return box.currentData()  # type: ignore[attr-defined]
    return box.value()  # type: ignore[attr-defined]
