"""Transfer learning controls: a source model (the selected run, or a .keras/.h5 file), a
slider that freezes the first N blocks, "cache frozen activations", and the epoch times
measured each way. Loading and training run in the panel's worker threads."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QCheckBox, QFileDialog, QFormLayout, QHBoxLayout, QLabel,
                               QPushButton, QSlider, QVBoxLayout, QWidget)

from cnnexplorer.gui.file_filters import MODEL_FILTER


class TransferView(QWidget):
    load_requested = Signal(object)  # a run (core.train.runs.Run) or a model path (str)
    start_requested = Signal(int, bool)  # frozen blocks, cache activations

    def __init__(self, runs_list, parent: QWidget | None = None):
        super().__init__(parent)
        self.runs_list = runs_list
        self.blocks: list = []
        self.epoch_times: dict[str, float] = {}
        self.source_label = QLabel("No source model yet.")
        self.source_label.setWordWrap(True)
        self.from_run = QPushButton("Use the selected run")
        self.from_file = QPushButton("Open a .keras / .h5 model...")
        self.from_run.clicked.connect(self._on_from_run_clicked)
        self.from_file.clicked.connect(self._on_from_file_clicked)
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setRange(0, 0)
        self.slider.valueChanged.connect(self._on_slider_value_changed)
        self.freeze_label = QLabel("Frozen: nothing")
        self.freeze_label.setWordWrap(True)
        self.cache = QCheckBox("Cache frozen activations")
        self.cache.setToolTip("Compute the frozen part's outputs once, store them, and train "
                              "the head on the cache")
        self.cache.setEnabled(False)
        self.start = QPushButton("Train with the new head")
        self.start.setEnabled(False)
        self.start.clicked.connect(self._on_start_clicked)
        self.times = QLabel("Epoch time: not measured yet (train once each way to compare).")
        self.times.setWordWrap(True)
        buttons = QHBoxLayout()
        buttons.addWidget(self.from_run)
        buttons.addWidget(self.from_file)
        form = QFormLayout()
        form.addRow("Freeze blocks", self.slider)
        form.addRow("", self.freeze_label)
        layout = QVBoxLayout(self)
        intro = QLabel(
            "<b>Transfer learning</b>: keep what a trained network learned, replace its head "
            "for this dataset's classes, freeze the first blocks and train the rest. With "
            "every block frozen, the head alone trains, and caching the frozen part's "
            "activations makes each epoch far cheaper.")
        intro.setWordWrap(True)  # unwrapped, this one line made the whole window 2,000 px wide
        layout.addWidget(intro)
        layout.addLayout(buttons)
        layout.addWidget(self.source_label)
        layout.addLayout(form)
        layout.addWidget(self.cache)
        layout.addWidget(self.start)
        layout.addWidget(self.times)
        layout.addStretch(1)

    # ----- source
    def _on_from_run_clicked(self) -> None:
        run = self.runs_list.selected_run()
        if run is None:
            self.source_label.setText("Select a saved run in the list first.")
            return
        self.load_requested.emit(run)

    def _on_from_file_clicked(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open a model", "",
                                              MODEL_FILTER)
        if path:
            self.load_requested.emit(path)

    def set_source(self, name: str, blocks: list) -> None:
        self.blocks = blocks
        self.source_label.setText(f"Source: {name} ({len(blocks)} blocks before the head)")
        self.slider.setRange(0, len(blocks))
        self.slider.setValue(len(blocks))
        self._on_slider_value_changed(self.slider.value())
        self.start.setEnabled(True)

    # ----- freezing
    def _on_slider_value_changed(self, n: int) -> None:
        if not self.blocks:
            return
        if n == 0:
            text = "Frozen: nothing (fine-tune everything)"
        else:
            text = f"Frozen: {n} of {len(self.blocks)} blocks, up to '{self.blocks[n - 1][0]}'"
            if n == len(self.blocks):
                text += " (all but the head)"
        self.freeze_label.setText(text)
        all_frozen = n == len(self.blocks)
        self.cache.setEnabled(all_frozen)
        if not all_frozen:
            self.cache.setChecked(False)

    def _on_start_clicked(self) -> None:
        self.start_requested.emit(self.slider.value(), self.cache.isChecked())

    def record_epoch_time(self, cached: bool, seconds: float) -> None:
        self.epoch_times["cached" if cached else "uncached"] = seconds
        parts = [f"{k}: {v:.2f} s per epoch" for k, v in sorted(self.epoch_times.items())]
        t = self.epoch_times
        if len(t) == 2 and t["cached"] > 0:
            parts.append(f"caching is {t['uncached'] / t['cached']:.0f}x faster")
        self.times.setText("Epoch time: " + "; ".join(parts))
