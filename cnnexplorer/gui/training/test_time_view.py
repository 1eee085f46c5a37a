"""The Evaluation tab's test-time tricks: choose crops, compare the ticked runs (or the selected
one) alone, as an ensemble and with their crops, and see accuracy beside the time per image.

It only shows a `core.train.crops_and_ensembles.TestTimeComparison`; the Training panel runs
the comparison in its worker (core.train.jobs.test_time_job).
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QHBoxLayout, QHeaderView, QLabel,
                               QPushButton, QTableWidget, QTableWidgetItem, QVBoxLayout,
                               QWidget)

#: (crops, what the menu says)
CROP_CHOICES = ((1, "1: the image"), (2, "2: and its mirror"),
                (10, "10: corners, centre and mirrors"))
COLUMNS = ("model", "crops", "passes", "accuracy", "ms / image")


class TestTimeBox(QWidget):
    """Crops menu, Compare button and the comparison table."""

    compare_requested = Signal(int)  # the number of crops

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.crops = QComboBox()
        for crops, text in CROP_CHOICES:
            self.crops.addItem(text, crops)
        self.crops.setToolTip("Test-time crops, probabilities averaged: the notes' 10-crop "
                              "judges the four corners and the centre of the image and of "
                              "its mirror (each 0.875 of the side)")
        self.compare_button = QPushButton("Compare ticked runs")
        self.compare_button.setToolTip(
            "Evaluate each ticked run (or the selected one) alone, their ensemble "
            "(probabilities averaged) and each with the chosen crops: accuracy beside the "
            "time per image, the price of each trick")
        self.compare_button.clicked.connect(
            lambda: self.compare_requested.emit(int(self.crops.currentData())))
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for i in range(1, len(COLUMNS)):
            header.setSectionResizeMode(i, QHeaderView.ResizeMode.ResizeToContents)
        self.table.setVisible(False)
        self.verdict = QLabel("")
        self.verdict.setWordWrap(True)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(QLabel("Test-time crops:"))
        row.addWidget(self.crops)
        row.addWidget(self.compare_button)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(row)
        layout.addWidget(self.table)
        layout.addWidget(self.verdict)

    def show_comparison(self, comparison) -> None:
        """Fill the table, bold the best row, and say what the best trick bought and cost."""
        rows = comparison.rows
        best, base = comparison.best(), comparison.best_single()
        self.table.setRowCount(len(rows))
        bold = QFont()
        bold.setBold(True)
        for i, r in enumerate(rows):
            cells = (r.label, str(r.crops), str(r.passes), f"{r.result.accuracy:.1%}",
                     f"{1000 * r.seconds_per_image:.2f}")
            for j, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if j:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight
                                          | Qt.AlignmentFlag.AlignVCenter)
                if r is best:
                    item.setFont(bold)
                self.table.setItem(i, j, item)
        self.table.setVisible(True)
        self.table.setFixedHeight(self.table.horizontalHeader().height()
                                  + sum(self.table.rowHeight(i) for i in range(len(rows))) + 4)
        self.verdict.setText(verdict_text(best, base, comparison))


def verdict_text(best, base, comparison) -> str:
    """What the best trick bought over the best single model, and at what price."""
    head = f"{comparison.split}: {comparison.images} images. "
    if best is base:
        return head + (f"Best: {base.label} alone ({base.result.accuracy:.1%}); no ensemble "
                       f"or crop beat it.")
    gain = 100 * (best.result.accuracy - base.result.accuracy)
    price = best.seconds_per_image / base.seconds_per_image if base.seconds_per_image else 0
    return head + (f"Best: {best.label} ({best.result.accuracy:.1%}), {gain:+.1f} points over "
                   f"{base.label} alone, for {price:.1f}x its time per image. Its confusion "
                   f"matrix is below.")
