"""The door's verdict column: the Happy House door, the decision, the probability bar and the
threshold slider. Shows the decision and probability (or "no face found") it is given; decides
nothing (core.door.verdict.DoorVerdict.decision_at does)."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import (QHBoxLayout, QLabel, QProgressBar, QSizePolicy, QSlider,
                               QVBoxLayout, QWidget)

from cnnexplorer.core.door.threshold import DEFAULT_THRESHOLD
from cnnexplorer.gui.door.door_view import DoorView

NO_FACE_TEXT = "no face found"
VERDICT_PT = 16.0  # the decision's letters (the reason under it: the body size)


class VerdictView(QWidget):
    threshold_changed = Signal(float)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.door = DoorView()
        self.prob_bar = QProgressBar()
        self.prob_bar.setRange(0, 1000)
        self.prob_bar.setFormat("happy: —")
        self.threshold = QSlider(Qt.Orientation.Horizontal)
        self.threshold.setRange(1, 99)
        self.threshold.setValue(int(round(DEFAULT_THRESHOLD * 100)))
        self.threshold_label = QLabel()
        self.threshold_label.setFixedWidth(self.fontMetrics().horizontalAdvance("0.000"))
        # The decision in large letters, the reason under it in the body size: on one line,
        # "CLOSED — no face found" at 16 pt was cut to "CLOSED — no face fo" at 1024x700.
        self.decision_label = QLabel("")
        self.decision_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        big = QFont(self.font())
        big.setPointSizeF(VERDICT_PT)
        big.setBold(True)
        self.decision_label.setFixedHeight(QFontMetrics(big).height()
                                           + self.fontMetrics().height() + 10)
        self.decision_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.decision_label.setWordWrap(True)  # a reason longer than a narrow column wraps
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.door, 1)
        layout.addWidget(self.decision_label)
        layout.addWidget(self.prob_bar)
        row = QHBoxLayout()
        row.addWidget(QLabel("Threshold"))
        row.addWidget(self.threshold, 1)
        row.addWidget(self.threshold_label)
        layout.addLayout(row)
        self.threshold.valueChanged.connect(self._on_threshold_value_changed)
        self._on_threshold_value_changed(self.threshold.value())

    def threshold_value(self) -> float:
        return self.threshold.value() / 100.0

    def _on_threshold_value_changed(self, value: int) -> None:
        self.threshold_label.setText(f"{value / 100.0:.2f}")
        self.threshold_changed.emit(value / 100.0)

    def show_verdict(self, probability: float | None, is_open: bool) -> bool:
        """Show the door's decision as the core's verdict took it (`DoorVerdict.decision_at`)
        with the deciding face's probability (None: no face found, the door stays shut).
        Returns whether the door is open."""
        t = self.threshold_value()
        self.door.set_probability(probability, t, NO_FACE_TEXT if probability is None else "")
        self.door.set_open(is_open)
        permille = 0 if probability is None else int(round(probability * 1000))
        fmt = f"happy: {NO_FACE_TEXT}" if probability is None else f"happy: {probability:.1%}"
        if permille != self.prob_bar.value() or fmt != self.prob_bar.format():
            self.prob_bar.setValue(permille)  # QProgressBar repaints at once on a change
            self.prob_bar.setFormat(fmt)
        colour = "#2ea043" if is_open else "#cf222e"
        verdict, reason = ("OPEN", "welcome!") if is_open else \
            ("CLOSED", NO_FACE_TEXT if probability is None else "not happy enough")
        text = (f"<span style='font-size:{VERDICT_PT:g}pt; font-weight:600; color:{colour}'>"
                f"{verdict}</span><br><span style='color:{colour}'>{reason}</span>")
        if text != self.decision_label.text():
            self.decision_label.setText(text)
        return is_open
