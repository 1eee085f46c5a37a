"""The Data panel: choose a built-in set or open a file or folder (buttons, File menu, or drag
and drop), see its classes, counts per split, skipped files and samples, and set the
augmentation that training will use (with a live preview).

Loading runs in a `gui.workers.Worker` with a progress bar; the loaded dataset goes to
`session.set_dataset`, and the panel redraws from `session.dataset_changed`, so a dataset set
by anyone else shows here too. The augmentation setting is kept on `session.augment`, which
the Training panel reads.
"""

from __future__ import annotations

import os

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QApplication, QComboBox, QFileDialog, QHBoxLayout, QHeaderView,
                               QLabel, QListWidget, QProgressBar, QPushButton, QScrollArea,
                               QSplitter, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget)

from cnnexplorer.core.data import BUILTINS, AugmentConfig, pca_basis
from cnnexplorer.core.data.images import RESIZE_MODES
from cnnexplorer.gui.errors import present_error
from cnnexplorer.gui.file_filters import DATASET_FILTER
from cnnexplorer.gui.widgets.image_grid import ImageGrid
from cnnexplorer.gui.data.loader_worker import load_job
from cnnexplorer.gui.workers import Worker
from cnnexplorer.gui.data.augment_view import AugmentBox
from cnnexplorer.core.formatting import shape_text
from cnnexplorer.core.data.folder import LoadCancelled

SIZES = (("Native size", None), ("32 x 32", 32), ("64 x 64", 64), ("128 x 128", 128),
         ("224 x 224", 224))
MAX_SAMPLES = 48


def sample_indices(y: np.ndarray, num_classes: int, total: int = MAX_SAMPLES) -> list[int]:
    """The first few images of each class, class by class (as many classes as fit)."""
    per_class = max(1, min(24, total // max(1, num_classes)))
    out: list[int] = []
    for c in range(num_classes):
        out.extend(np.flatnonzero(y == c)[:per_class].tolist())
        if len(out) >= total:
            break
    return out[:total]


class DataPanel(QWidget):
    def __init__(self, session, parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
        self.loader: Worker | None = None  # the newest load; older ones are asked to stop
        self._generation = 0  # of the newest load: an older load's error is not shown
        self._samples: list[int] = []
        self._basis = None
        self.setAcceptDrops(True)

        # -- source bar ------------------------------------------------------------------
        self.builtin = QComboBox()
        for b in BUILTINS.values():
            self.builtin.addItem(b.title, b.name)
            self.builtin.setItemData(self.builtin.count() - 1, b.description,
                                     Qt.ItemDataRole.ToolTipRole)
        self.load_builtin_button = QPushButton("Load")
        self.open_file_button = QPushButton("Open file...")
        self.open_file_button.setToolTip("A course HDF5 file (train_*.h5 or test_*.h5) or a "
                                         "NumPy .npz archive")
        self.open_folder_button = QPushButton("Open folder...")
        self.open_folder_button.setToolTip("A folder with one subfolder of images per class, "
                                           "or train/ and test/ each holding class folders")
        self.size = QComboBox()
        for text, value in SIZES:
            self.size.addItem(text, value)
        self.resize_mode = QComboBox()
        for mode in RESIZE_MODES:
            self.resize_mode.addItem({"stretch": "Stretch", "crop": "Centre crop",
                                      "pad": "Pad"}[mode], mode)
        self.resize_mode.setToolTip("How images of another shape reach the chosen size")
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.hide()
        self.progress = QProgressBar()
        self.progress.setMaximumWidth(220)
        self.progress.hide()
        self.status = QLabel("Choose a built-in set, open a file or folder, or drop one here.")
        self.status.setWordWrap(True)
        bar = QHBoxLayout()
        bar.addWidget(QLabel("Built-in:"))
        bar.addWidget(self.builtin)
        bar.addWidget(self.load_builtin_button)
        bar.addSpacing(16)
        bar.addWidget(self.open_file_button)
        bar.addWidget(self.open_folder_button)
        bar.addSpacing(16)
        bar.addWidget(QLabel("Image size:"))
        bar.addWidget(self.size)
        bar.addWidget(self.resize_mode)
        bar.addStretch(1)
        bar.addWidget(self.progress)
        bar.addWidget(self.cancel_button)

        # -- summary: counts and skipped files ----------------------------------------------
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.counts = QTableWidget(0, 3)
        self.counts.setHorizontalHeaderLabels(["Class", "Train", "Test"])
        self.counts.verticalHeader().hide()
        self.counts.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.counts.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.skipped_label = QLabel()
        self.skipped = QListWidget()
        self.skipped.setMaximumHeight(120)
        self.skipped_label.hide()
        self.skipped.hide()
        left = QWidget()
        lv = QVBoxLayout(left)
        lv.setContentsMargins(0, 0, 0, 0)
        lv.addWidget(self.summary)
        lv.addWidget(self.counts, 1)
        lv.addWidget(self.skipped_label)
        lv.addWidget(self.skipped)

        # -- samples -----------------------------------------------------------------------
        self.grid = ImageGrid(tile=72)
        self.grid.set_empty_text("No dataset yet")
        self.grid.clicked.connect(self._on_grid_clicked)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.grid)
        samples = QWidget()
        sv = QVBoxLayout(samples)
        sv.setContentsMargins(0, 0, 0, 0)
        sv.addWidget(QLabel("<b>Training samples</b> (click one to preview its augmentation)"))
        sv.addWidget(scroll, 1)

        self.augment = AugmentBox()
        self.augment.config_changed.connect(self._on_augment_config_changed)
        right = QSplitter(Qt.Orientation.Vertical)
        right.addWidget(samples)
        right.addWidget(self.augment)
        right.setStretchFactor(0, 3)
        right.setStretchFactor(1, 0)  # the controls keep their natural height
        right.setSizes([560, self.augment.sizeHint().height()])
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(left)
        split.addWidget(right)
        split.setStretchFactor(0, 1)
        split.setStretchFactor(1, 3)
        split.setSizes([300, 900])

        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.status)
        layout.addWidget(split, 1)

        self.load_builtin_button.clicked.connect(self._on_load_builtin_clicked)
        self.open_file_button.clicked.connect(self._on_open_file_clicked)
        self.open_folder_button.clicked.connect(self._on_open_folder_clicked)
        self.cancel_button.clicked.connect(self._on_cancel_clicked)
        session.dataset_changed.connect(self._on_session_dataset_changed)
        session.open_dataset_requested.connect(self.load)
        session.augment_changed.connect(self._on_session_augment_changed)
        self.augment.set_config(session.augment or AugmentConfig())  # the session's setting
        app = QApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.shutdown)
        if session.dataset is not None:
            self._on_session_dataset_changed(session.dataset)

    # -- loading -----------------------------------------------------------------------------
    def load(self, spec) -> None:
        """Load a built-in name or a path in the background; the result goes to the session."""
        if self.loader is not None:
            self.loader.request_stop()  # an older load: stopped, and its result ignored
        spec = os.fspath(spec) if not isinstance(spec, str) else spec
        name = BUILTINS[spec].title if spec in BUILTINS else os.path.basename(spec) or spec
        self._generation += 1
        generation = self._generation
        loader = Worker(load_job(spec, self.size.currentData(), self.resize_mode.currentData()),
                        f"open the dataset {name}",
                        on_error=lambda exc: self._on_loader_errored(generation, exc))
        loader.reported.connect(self._on_loader_progress)
        loader.returned.connect(self._on_loader_returned)
        loader.finished.connect(self._on_loader_finished)
        self.loader = loader
        self.status.setText(f"Loading {name}...")
        self.progress.setRange(0, 0)
        self.progress.show()
        self.cancel_button.show()
        loader.start()

    def is_loading(self) -> bool:
        return self.loader is not None

    def shutdown(self) -> None:
        """Ask a running load to stop (window closing; the window's one wait waits)."""
        if self.loader is not None:
            self.loader.request_stop()

    def _on_loader_progress(self, report) -> None:
        if self.sender() is not self.loader:
            return
        done, total, message = report
        if total > 1:
            self.progress.setRange(0, total)
            self.progress.setValue(done)
        self.status.setText(message[:1].upper() + message[1:] + "...")

    def _on_loader_returned(self, ds) -> None:
        if self.sender() is not self.loader:
            return
        self.session.set_dataset(ds)  # redraws through _on_session_dataset_changed
        skipped = f"; {len(ds.skipped)} files skipped (listed on the left)" if ds.skipped else ""
        self.status.setText(f"Loaded {ds.name}: {len(ds.x_train)} training"
                            + (f" and {len(ds.x_test)} test" if ds.x_test is not None else "")
                            + f" images{skipped}.")
        self.session.status_message.emit(f"Dataset {ds.name} loaded")

    def _on_loader_errored(self, generation: int, exc) -> None:
        if generation != self._generation:
            return  # an older load, replaced by a newer one

        if isinstance(exc, LoadCancelled):
            self.status.setText("Loading cancelled.")
            return
        self.status.setText(f"Could not open the dataset: {exc}")
        present_error(self, "Could not open the dataset", exc)

    def _on_loader_finished(self) -> None:
        if self.sender() is self.loader:
            self.loader = None  # freed by the worker module, on the GUI thread
            self.progress.hide()
            self.cancel_button.hide()

    def _on_cancel_clicked(self) -> None:
        if self.loader is not None:
            self.loader.request_stop()
            self.status.setText("Cancelling...")

    def _on_load_builtin_clicked(self) -> None:
        self.load(self.builtin.currentData())

    def _on_open_file_clicked(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Open a dataset file", "", DATASET_FILTER)
        if path:
            self.load(path)

    def _on_open_folder_clicked(self) -> None:
        path = QFileDialog.getExistingDirectory(self, "Open a folder of images (one subfolder "
                                                      "per class)")
        if path:
            self.load(path)

    # -- drag and drop -----------------------------------------------------------------------
    def dragEnterEvent(self, event) -> None:
        urls = event.mimeData().urls()
        if len(urls) == 1 and urls[0].isLocalFile():
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:
        urls = event.mimeData().urls()
        if len(urls) == 1 and urls[0].isLocalFile():
            event.acceptProposedAction()
            self.load(urls[0].toLocalFile())

    # -- showing a dataset -------------------------------------------------------------------
    def _on_session_dataset_changed(self, ds) -> None:
        if ds is None:
            return
        self._basis = None
        shape = shape_text(ds.input_shape, spaced=True)
        test = f", {len(ds.x_test)} test" if ds.x_test is not None else ", no test split"
        if ds.test_only:
            test += " (a test file on its own: evaluate on it, train on its training file)"
        self.summary.setText(
            f"<b>{ds.name}</b><br>{ds.num_classes} classes, {len(ds.x_train)} train{test}<br>"
            f"images {shape} (H x W x C)<br><small>fingerprint {ds.fingerprint}<br>"
            f"{ds.source}</small>")
        train, test_counts = ds.counts("train"), ds.counts("test")
        self.counts.setRowCount(ds.num_classes)
        for i, name in enumerate(ds.class_names):
            label = name if name == str(i) else f"{i}: {name}"  # the label and its name
            for col, text in enumerate((label, str(int(train[i])),
                                        str(int(test_counts[i])) if ds.x_test is not None
                                        else "-")):
                item = QTableWidgetItem(text)
                if col:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight
                                          | Qt.AlignmentFlag.AlignVCenter)
                self.counts.setItem(i, col, item)
        self.skipped.clear()
        if ds.skipped:
            self.skipped_label.setText(f"<b>{len(ds.skipped)} files skipped</b>")
            for path, why in ds.skipped:
                self.skipped.addItem(f"{os.path.basename(path)}: {why}")
                self.skipped.item(self.skipped.count() - 1).setToolTip(path)
        self.skipped_label.setVisible(bool(ds.skipped))
        self.skipped.setVisible(bool(ds.skipped))
        xs, ys = ds.sample_split()
        self._samples = sample_indices(ys, ds.num_classes)
        self.grid.set_images([xs[i] for i in self._samples],
                             [ds.class_names[ys[i]] for i in self._samples])
        if self._samples:
            self.grid.set_selected(0)
            self._show_augmented(0)

    def _on_grid_clicked(self, index: int) -> None:
        self._show_augmented(index)

    def _show_augmented(self, index: int) -> None:
        ds = self.session.dataset
        if ds is None or index >= len(self._samples):
            return
        xs, ys = ds.sample_split()
        if self._basis is None:
            # the dataset's colour PCA (AlexNet), as training computes it: a few ms
            self._basis = pca_basis(xs[:2000])
        i = self._samples[index]
        self.augment.set_image(xs[i], ds.class_names[ys[i]], self._basis)

    def _on_augment_config_changed(self, cfg: AugmentConfig) -> None:
        self.session.set_augment(cfg)  # one setting: the Training panel shows it too

    def _on_session_augment_changed(self, cfg) -> None:
        cfg = cfg or AugmentConfig()
        if cfg != self.augment.config():  # turned on/off in the Training panel
            self.augment.set_config(cfg)
