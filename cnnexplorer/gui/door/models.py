"""Which model the door uses: the bundled one, a saved binary run, or an opened model file.

The picker only lists and asks: loading (and checking that a model fits the door) happens in
the inference worker's thread, which answers with `model_loaded` or `model_failed`.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QComboBox, QFileDialog, QHBoxLayout, QLabel, QPushButton, QWidget

from cnnexplorer.gui.file_filters import MODEL_FILTER
from cnnexplorer.paths import bundled_door_model
from cnnexplorer.core.train import runs as runs_mod
from cnnexplorer.core.train.scores import best_epoch

BUNDLED_LABEL = "Bundled door model (real faces)"


def binary_runs() -> list[tuple[str, str]]:
    """(label, model path) of each saved run with a binary (sigmoid) output and a model."""
    out = []
    try:
        all_runs = runs_mod.list_runs()
    except OSError:
        return out
    for run in reversed(all_runs):  # newest first
        cfg = run.config()
        if not cfg.get("task", {}).get("binary"):
            continue
        try:
            path = run.model_path("best")
        except Exception:  # noqa: BLE001 - a run without a model yet is simply not listed
            continue
        # the model loaded is best.keras: quote its epoch's accuracy, not the last epoch's
        best = best_epoch(run.history())
        arch = cfg.get("architecture", {}).get("key", "model")
        data = cfg.get("dataset", {}).get("name", "?")
        score = f", {best.short_text()}" if best is not None else ""
        out.append((f"Run {run.name} ({arch} on {data}{score})", str(path)))
    return out


class ModelPicker(QWidget):
    """A combo of door models plus "Open model…"; asks the worker to load the choice."""

    def __init__(self, session, worker, parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
        self.worker = worker
        self.combo = QComboBox()
        self.combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.combo.setMinimumContentsLength(18)
        self.combo.setToolTip("The model that decides whether the door opens")
        self.open_btn = QPushButton("Open model…")
        self.state = QLabel("")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(QLabel("Model"))
        layout.addWidget(self.combo, 1)
        layout.addWidget(self.open_btn)
        layout.addWidget(self.state)
        self._active_index = -1
        self._requested_index = -1
        # a model handed to the worker directly (worker.use_model), not one of the combo's
        self._handed_label = ""
        self._opened: list[str] = []
        self._started = False
        self.open_btn.clicked.connect(self._on_open_clicked)
        self.combo.activated.connect(self._on_combo_activated)
        session.model_trained.connect(self._on_session_model_trained)
        session.open_model_requested.connect(self.open_model)
        self.refresh()

    def refresh(self) -> None:
        """Rebuild the list, keeping the current choice when it is still there."""
        current = self.combo.currentData()
        self.combo.blockSignals(True)
        self.combo.clear()
        self.combo.addItem(BUNDLED_LABEL, None)
        for label, path in binary_runs():
            self.combo.addItem(label, path)
        for path in self._opened:
            if self.combo.findData(path) < 0:
                self.combo.addItem(f"File {Path(path).name}", path)
        index = self.combo.findData(current)
        self.combo.setCurrentIndex(max(0, index))
        self.combo.blockSignals(False)

    def load_initial(self) -> None:
        """Load the bundled model the first time the door needs a model (later: no-op)."""
        if not self._started:
            self._started = True
            self._request(0)

    def open_model(self, path) -> None:
        """Use a .keras/.h5 file (checked in the worker; refused with a message if unfit)."""
        path = str(path)
        if path not in self._opened:
            self._opened.append(path)
        self.refresh()
        self._request(self.combo.findData(path))

    def use_door(self, door, label: str) -> None:
        """Switch to a model already loaded (what "train on my captures" produced)."""
        self._started = True
        self.refresh()
        index = self.combo.findData(door.source)
        if index < 0:
            self.combo.addItem(label, door.source)
            index = self.combo.count() - 1
        self._requested_index = index
        self.combo.setCurrentIndex(index)
        self.state.setText("loading…")
        self.worker.use_model(door)

    def _request(self, index: int) -> None:
        self._started = True
        self._requested_index = index
        self.combo.setCurrentIndex(index)
        self.state.setText("loading…")
        self.worker.request_model(self.combo.itemData(index))

    def active_label(self) -> str:
        """What the combo calls the model in use ("Run NAME (...)", "File x.keras"...)."""
        if self._handed_label:
            return self._handed_label
        if 0 <= self._active_index < self.combo.count():
            return self.combo.itemText(self._active_index)
        return ""

    def _is_requested(self, door) -> bool:
        """Whether `door` is the combo's requested choice (not one handed to the worker)."""
        if not 0 <= self._requested_index < self.combo.count():
            return False
        path = self.combo.itemData(self._requested_index)
        wanted = str(bundled_door_model()) if path is None else str(path)
        return door.source == wanted

    def on_loaded(self, door) -> None:
        if self._is_requested(door):
            self._active_index, self._handed_label = self._requested_index, ""
            self.state.setText("")
        else:
            # Handed over by code (a test, a tool): the combo still shows its last choice,
            # so the announcement and the note beside it name this model instead.
            self._handed_label = (f"File {door.name}" if door.source != "model"
                                  else "a model handed over")
            self.state.setText(f"in use: {self._handed_label}")
        self.combo.setToolTip(f"{door.source}\ninput {door.input_shape}, output "
                              f"{door.output_kind}")

    def on_failed(self, _text: str) -> None:
        """Go back to the model in use (or none) after a refused choice."""
        self.state.setText(f"in use: {self._handed_label}" if self._handed_label else "")
        bad = self._requested_index
        path = self.combo.itemData(bad) if bad >= 0 else None
        if path in self._opened:
            self._opened.remove(path)
            self.combo.removeItem(bad)
            if self._active_index > bad:
                self._active_index -= 1
        if 0 <= self._active_index < self.combo.count():
            self.combo.setCurrentIndex(self._active_index)

    def _on_open_clicked(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open a door model", "", MODEL_FILTER)
        if path:
            self.open_model(path)

    def _on_combo_activated(self, index: int) -> None:
        if index != self._active_index:
            self._request(index)

    def _on_session_model_trained(self, _path) -> None:
        self.refresh()
