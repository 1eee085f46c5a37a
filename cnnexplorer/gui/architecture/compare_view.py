"""The case studies side by side: a table of the ticked networks and a chart of accuracy
against MACs, each mark's area by its parameters (the Architecture panel's "Case studies").

The rows are `core.arch.case_studies.CaseStudyRow`s, the numbers `cnnexplorer compare` prints
(each row equals that network's `inspect` totals). The accuracy is the published ImageNet
top-1 of the classic networks, with its source; when saved runs of the same dataset exist,
"Accuracy from" picks that dataset instead, and each network shows its run's test accuracy, or
its validation accuracy where no test was measured, saying which (core/train/run_accuracy.py).
The sources are read again each time the view is shown, so a run trained or evaluated since
appears.
"""

from __future__ import annotations

import math

import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QHBoxLayout, QHeaderView, QLabel,
                               QListWidget, QListWidgetItem, QSplitter, QTableWidget,
                               QTableWidgetItem, QVBoxLayout, QWidget)

from cnnexplorer.core.arch import zoo
from cnnexplorer.core.arch.case_studies import RUN_KINDS, accuracy_text, compare_networks
from cnnexplorer.core.keras.sources import load_network
from cnnexplorer.core.formatting import readable_bytes, readable_count, shape_text
from cnnexplorer.core.train.run_accuracy import case_study_accuracies, run_datasets
from cnnexplorer.gui.architecture.chart_axes import CountAxis

#: ticked when the view opens: the week's case studies, in the notes' order
CASE_STUDIES = ("lenet5", "alexnet", "vgg16", "resnet50", "googlenet")
COLUMNS = ("network", "input", "params", "MACs", "depth", "activations", "train memory",
           "last conv RF", "accuracy", "accuracy: where from")
PUBLISHED = "published ImageNet top-1"


class CompareView(QWidget):
    """Tick networks; see their figures side by side and where each sits on the chart."""

    compared = Signal(list)  # the CaseStudyRows shown

    def __init__(self, batch_size: int = 32, parent: QWidget | None = None):
        super().__init__(parent)
        self.batch_size = batch_size
        self.rows: list = []
        self.networks = QListWidget()
        self.networks.setToolTip("Tick the networks to compare")
        for entry in zoo.entries():
            item = QListWidgetItem(entry.title)
            item.setData(Qt.ItemDataRole.UserRole, entry.key)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if entry.key in CASE_STUDIES
                               else Qt.CheckState.Unchecked)
            self.networks.addItem(item)
        self.networks.itemChanged.connect(lambda _item: self.refresh())
        self.source = QComboBox()
        self.source.setToolTip("Published ImageNet top-1 accuracy, or the best saved run of "
                               "each network on one dataset")
        self.source.currentIndexChanged.connect(lambda _i: self.refresh())
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        # CountAxis writes "2 G" at each tick; pyqtgraph's own log axis wrote "2" and
        # "10¹" under an "(x1e+09)" unit
        self.plot = pg.PlotWidget(axisItems={"bottom": CountAxis("bottom")})
        self.plot.setBackground("w")
        self.plot.setLabel("bottom", "MACs per image (log scale)")
        self.plot.setLabel("left", "accuracy (%)")
        self.plot.setLogMode(x=True, y=False)
        self.plot.showGrid(x=True, y=True, alpha=0.3)
        self.plot.getPlotItem().getViewBox().setDefaultPadding(0.12)  # room for the marks
        self.note = QLabel("")
        self.note.setWordWrap(True)

        left = QWidget()
        lv = QVBoxLayout(left)
        lv.setContentsMargins(0, 0, 0, 0)
        lv.addWidget(QLabel("<b>Networks</b>"))
        lv.addWidget(self.networks, 1)
        source_row = QHBoxLayout()
        source_row.addWidget(QLabel("Accuracy from:"))
        source_row.addWidget(self.source, 1)
        lv.addLayout(source_row)
        right = QSplitter(Qt.Orientation.Vertical)
        right.addWidget(self.table)
        chart = QWidget()
        cv = QVBoxLayout(chart)
        cv.setContentsMargins(0, 0, 0, 0)
        cv.addWidget(self.plot, 1)
        cv.addWidget(self.note)
        right.addWidget(chart)
        right.setSizes([260, 400])
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(left)
        split.addWidget(right)
        split.setStretchFactor(1, 1)
        split.setSizes([230, 900])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(split)
        self.reload_sources()

    def showEvent(self, event) -> None:  # noqa: N802 - Qt's name
        # runs trained or evaluated since the view was last shown: their datasets and tests
        self.reload_sources()
        super().showEvent(event)

    # -- what to compare ---------------------------------------------------------------------
    def checked_keys(self) -> list[str]:
        return [self.networks.item(i).data(Qt.ItemDataRole.UserRole)
                for i in range(self.networks.count())
                if self.networks.item(i).checkState() == Qt.CheckState.Checked]

    def set_checked(self, keys) -> None:
        keys = set(keys)
        self.networks.blockSignals(True)
        for i in range(self.networks.count()):
            item = self.networks.item(i)
            item.setCheckState(Qt.CheckState.Checked if item.data(Qt.ItemDataRole.UserRole)
                               in keys else Qt.CheckState.Unchecked)
        self.networks.blockSignals(False)
        self.refresh()

    def reload_sources(self) -> None:
        """The accuracy sources: published figures, then each dataset with saved runs."""
        current = self.source.currentText()
        self.source.blockSignals(True)
        self.source.clear()
        self.source.addItem(PUBLISHED)
        for name in run_datasets():
            self.source.addItem(f"saved runs on {name}", name)
        index = self.source.findText(current)
        self.source.setCurrentIndex(max(index, 0))
        self.source.blockSignals(False)
        self.refresh()

    def set_batch_size(self, batch_size: int) -> None:
        self.batch_size = int(batch_size)
        self.refresh()

    # -- showing -------------------------------------------------------------------------
    def refresh(self) -> None:
        entries = []
        for key in self.checked_keys():
            network, meta = load_network(key)
            entries.append((meta.architecture, meta.title, network))
        dataset = self.source.currentData()
        runs = case_study_accuracies(dataset) if dataset else None
        rows = compare_networks(entries, self.batch_size, runs)
        self.rows = rows
        self._fill_table(rows)
        self._draw(rows)
        self.compared.emit(rows)

    def _fill_table(self, rows) -> None:
        self.table.setRowCount(len(rows))
        for i, r in enumerate(rows):
            rf = r.last_conv_field.text() if r.last_conv_field else "?"
            cells = (r.title, shape_text(r.input_shape), readable_count(r.params),
                     readable_count(r.macs), str(r.depth), readable_bytes(r.activation_bytes),
                     readable_bytes(r.training_memory), rf, accuracy_text(r),
                     r.accuracy_source)
            for j, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                if 1 < j < 9:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight
                                          | Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(i, j, item)
        self.table.setToolTip(f"Training memory at batch {self.batch_size}: weights, "
                              f"gradients, Adam state and every layer's output")

    def _draw(self, rows) -> None:
        self.plot.clear()
        shown = [r for r in rows if r.accuracy is not None and r.macs > 0]
        if shown:
            biggest = max(r.params for r in shown)
            # the mark's AREA follows the parameters: its side goes with the square root
            sizes = [8 + 52 * math.sqrt(r.params / biggest) for r in shown]
            xs = [math.log10(r.macs) for r in shown]
            ys = [100 * r.accuracy for r in shown]
            self.plot.addItem(pg.ScatterPlotItem(
                x=xs, y=ys, size=sizes, pen=pg.mkPen("#1f4e79"),
                brush=pg.mkBrush(31, 119, 180, 110)))
            right = max(xs)
            for r, x, y in zip(shown, xs, ys):
                # the rightmost mark's label goes to its left, inside the plot
                kind = f"\n{r.accuracy_kind} accuracy" if r.accuracy_kind in RUN_KINDS else ""
                label = pg.TextItem(f"{r.title.split(' (')[0]}\n{readable_count(r.params)} "
                                    f"params{kind}", color="#222",
                                    anchor=(1, 1) if x == right and len(xs) > 1 else (0, 1))
                label.setPos(x, y)
                self.plot.addItem(label)
        missing = [r.title for r in rows if r.accuracy is None]
        untested = [r.title for r in rows if r.accuracy_kind in ("validation", "training")]
        self.note.setText(
            "Mark area: parameters. "
            + (f"No test accuracy measured for {'; '.join(untested)}: the validation figure "
               f"is shown (Evaluate the run to measure one). " if untested else "")
            + (f"No accuracy, so not on the chart: {', '.join(missing)}." if missing else ""))
