"""The main window: the four panels as tabs, the menus, the status bar. It only wires.

Panels are created by `make_panel`, which imports each panel module; a panel that fails to
build shows what it is for and its error instead of taking the window down.

Hooks for panels (see docs/gui.md): File > Open model... / Open dataset... emit
`Session.open_model_requested(path)` / `Session.open_dataset_requested(path)`; the QActions
are public attributes (`action_open_model`, ...), and `Session.show_panel(name)` brings a
tab to the front.
"""

from __future__ import annotations

import importlib
import logging
import sys
from dataclasses import dataclass

from PySide6.QtCore import QByteArray, QEvent, QEventLoop, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (QApplication, QFileDialog, QFrame, QLabel, QMainWindow,
                               QMessageBox, QScrollArea, QTabWidget, QVBoxLayout, QWidget)

from cnnexplorer import __version__
from cnnexplorer.gui import settings, workers
from cnnexplorer.gui.device_status import DeviceStatus
from cnnexplorer.gui.file_filters import HDF5_FILTER, MODEL_FILTER
from cnnexplorer.gui.session import Session

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PanelSpec:
    title: str
    module: str  # absolute module path
    cls: str
    empty_text: str  # what the panel is for, shown when it fails to build


PANELS = (
    PanelSpec("Architecture", "cnnexplorer.gui.architecture.panel", "ArchitecturePanel",
              "The zoo of the course with its layer table and cost charts."),
    PanelSpec("Data", "cnnexplorer.gui.data.panel", "DataPanel",
              "Here you will open a dataset (the Happy House or SIGNS sets, or a folder of "
              "your own images), see samples of each class, the class balance and the "
              "train/validation split, and choose augmentation."),
    PanelSpec("Training", "cnnexplorer.gui.training.panel", "TrainingPanel",
              "Here you will train the architecture chosen in the Architecture panel on the "
              "dataset of the Data panel, with live loss and accuracy curves, stop and resume, "
              "and saved runs to compare."),
    PanelSpec("Happy door", "cnnexplorer.gui.door.panel", "DoorPanel",
              "Here the Happy House door will open for smiling faces: a trained model "
              "classifies webcam frames, video or images live, with Grad-CAM to show what it "
              "looked at."),
)


class EmptyState(QWidget):
    """What a panel that is not available (still loading, or failed) shows: its name, what it
    is for, and why it is not there."""

    def __init__(self, title: str, text: str, reason: str, parent: QWidget | None = None):
        super().__init__(parent)
        heading = QLabel(f"<h2>{title}</h2>")
        body = QLabel(text)
        body.setWordWrap(True)
        why = QLabel(reason)
        why.setWordWrap(True)
        why.setEnabled(False)  # the palette's disabled text colour: legible, clearly secondary
        self.text = f"{title}\n{text}\n{reason}"
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        for label in (heading, body, why):
            label.setAlignment(Qt.AlignmentFlag.AlignHCenter)
            label.setMaximumWidth(640)
            layout.addWidget(label, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addStretch(2)


def make_panel(spec: PanelSpec, session: Session) -> QWidget:
    """Import and build one panel (the module is imported only when the panel is built)."""
    return getattr(importlib.import_module(spec.module), spec.cls)(session)


# The size the window opens at the first time (later starts restore the saved geometry).
PREFERRED_FIRST_SIZE = QSize(1440, 900)


def first_run_size(screen) -> QSize:
    """1440x900, or less where the screen has less room: a window larger than a 1024x700
    screen opens with its right and bottom edges (buttons, columns, the working pane) out of
    reach, and without a window manager nothing pulls it back."""
    if screen is None:
        return QSize(PREFERRED_FIRST_SIZE)
    return PREFERRED_FIRST_SIZE.boundedTo(screen.availableGeometry().size())


class MainWindow(QMainWindow):
    """The application window; `panels` maps a tab title to its widget.

    With `deferred`, only the Architecture panel is built before the window is shown; after
    the first paint the charts (pyqtgraph) and the other panels follow, one per event-loop
    turn, so the window with the layer table appears without waiting for them (issue 13).
    `first_painted` and `setup_finished` say when each happened; `ensure_panels()` builds
    whatever is still pending at once (a menu action that needs a panel calls it).
    """

    first_painted = Signal()
    setup_finished = Signal()

    def __init__(self, session: Session | None = None, parent: QWidget | None = None,
                 deferred: bool = False):
        super().__init__(parent)
        self.session = session or Session(self)
        self.setWindowTitle("CNN Explorer")
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.setCentralWidget(self.tabs)
        self.panels: dict[str, QWidget] = {}
        self._pages: dict[str, QScrollArea] = {}
        self._pending: list[PanelSpec] = []
        for spec in PANELS:
            if deferred and spec.title != "Architecture":
                widget = EmptyState(spec.title, "", "Loading...")
                self._pending.append(spec)
            else:
                widget = self._build_panel(spec)
            self.panels[spec.title] = widget
            # in a scroll area: a panel wider than the screen scrolls instead of pushing the
            # whole window off a small screen
            page = QScrollArea()
            page.setFrameShape(QFrame.Shape.NoFrame)
            page.setWidgetResizable(True)
            page.setWidget(widget)
            self._pages[spec.title] = page
            self.tabs.addTab(page, spec.title)
        self.device = DeviceStatus(self)
        self.statusBar().addPermanentWidget(self.device.label)
        self._make_actions()
        self._make_menus()
        self.session.status_message.connect(self._on_session_status_message)
        self.session.show_panel.connect(self._on_session_show_panel)
        self.session.open_in_door.connect(self._on_session_open_in_door)
        self._restore_settings()
        # poll cheaply for TensorFlow being imported by a panel, then show its device
        #: what the one wait on close answered (None until the window closed)
        self.workers_stopped: bool | None = None
        self._tf_poll = QTimer(self)
        self._tf_poll.setInterval(2000)
        self._tf_poll.timeout.connect(self._on_tf_poll_timeout)
        self._tf_poll.start()
        self._painted = False
        self._setup_done = False
        if deferred:
            self.tabs.installEventFilter(self)  # its first paint: the window is on screen
        else:
            self._finish_setup_now()

    # -- building the panels -------------------------------------------------------------------
    def _build_panel(self, spec: PanelSpec) -> QWidget:
        try:
            return make_panel(spec, self.session)
        except Exception as exc:  # one broken panel must not take the window down
            log.exception("panel %s failed to load", spec.title)
            return EmptyState(spec.title, spec.empty_text,
                              f"This panel failed to load: {type(exc).__name__}: {exc}. "
                              f"Details are in the log.")

    def eventFilter(self, watched, event):  # noqa: N802 (Qt override)
        if watched is self.tabs and event.type() == QEvent.Type.Paint and not self._painted:
            self._painted = True
            self.first_painted.emit()
            QTimer.singleShot(0, self._continue_setup)  # after this paint reaches the screen
        return super().eventFilter(watched, event)

    def _continue_setup(self) -> None:
        """One step per event-loop turn: the charts, then each pending panel (the one in
        front first), so the window stays responsive while they are built."""
        arch = self.panels.get("Architecture")
        if getattr(arch, "_charts", True) is None:
            arch.finish_setup()
        elif self._pending:
            current = self.tabs.tabText(self.tabs.currentIndex())
            self._build_pending(next((p for p in self._pending if p.title == current),
                                     self._pending[0]))
        elif not self._setup_done:
            self._setup_done = True
            self.setup_finished.emit()
            return
        QTimer.singleShot(0, self._continue_setup)

    def _build_pending(self, spec: PanelSpec) -> None:
        self._pending.remove(spec)
        widget = self._build_panel(spec)
        page = self._pages[spec.title]
        old = page.takeWidget()
        page.setWidget(widget)
        if old is not None:
            old.deleteLater()
        self.panels[spec.title] = widget

    def ensure_panels(self) -> None:
        """Build every panel still pending, now (a request needs one of them)."""
        while self._pending:
            self._build_pending(self._pending[0])

    def _finish_setup_now(self) -> None:
        self.ensure_panels()
        finish = getattr(self.panels.get("Architecture"), "finish_setup", None)
        if callable(finish):
            finish()
        self._setup_done = True

    # -- actions and menus ---------------------------------------------------------------------
    def _action(self, text: str, slot, shortcut=None, tip: str = "") -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        if tip:
            action.setStatusTip(tip)
        action.triggered.connect(slot)
        return action

    def _make_actions(self) -> None:
        self.action_open_model = self._action(
            "Open &model...", self._on_open_model_triggered, QKeySequence.StandardKey.Open,
            "Open a trained .keras or .h5 model for the Happy door")
        self.action_open_dataset = self._action(
            "Open &dataset...", self._on_open_dataset_triggered, "Ctrl+Shift+O",
            "Open a dataset file (.h5) or a folder of images, one sub-folder per class")
        self.action_quit = self._action("&Quit", self.close, QKeySequence.StandardKey.Quit)
        self.action_check_device = self._action(
            "Check compute &device", self._on_check_device_triggered, None,
            "Load TensorFlow (a few seconds) and show which device it will use")
        self.action_full_screen = self._action("&Full screen", self._on_full_screen_triggered,
                                               QKeySequence.StandardKey.FullScreen)
        self.action_full_screen.setCheckable(True)
        self.action_about = self._action("&About CNN Explorer", self._on_about_triggered)
        self.action_shortcuts = self._action("&Keyboard shortcuts",
                                             self._on_shortcuts_triggered, "F1")
        self.panel_actions = []
        for i, spec in enumerate(PANELS):
            action = self._action(f"&{i + 1} {spec.title}",
                                  lambda _=False, t=spec.title: self.show_panel(t),
                                  f"Ctrl+{i + 1}")
            self.panel_actions.append(action)

    def _make_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        file_menu.addAction(self.action_open_model)
        file_menu.addAction(self.action_open_dataset)
        export = file_menu.addMenu("&Export")
        arch = self.panels.get("Architecture")
        for action in getattr(arch, "export_actions", ()):
            export.addAction(action)
        export.setEnabled(bool(export.actions()))
        file_menu.addSeparator()
        file_menu.addAction(self.action_quit)
        view = bar.addMenu("&View")
        view.addActions(self.panel_actions)
        view.addSeparator()
        view.addAction(self.action_check_device)
        view.addAction(self.action_full_screen)
        help_menu = bar.addMenu("&Help")
        help_menu.addAction(self.action_shortcuts)
        help_menu.addAction(self.action_about)

    def show_panel(self, title: str) -> None:
        spec = next((p for p in self._pending if p.title == title), None)
        if spec is not None:
            self._build_pending(spec)
        page = self._pages.get(title)
        if page is not None:
            self.tabs.setCurrentWidget(page)

    def current_panel(self) -> QWidget:
        page = self.tabs.currentWidget()
        return page.widget() if isinstance(page, QScrollArea) else page

    # -- File ----------------------------------------------------------------------------------
    def _start_folder(self) -> str:
        from pathlib import Path

        return str(settings.app_settings().value("files/last_folder", str(Path.home())))

    def _remember_folder(self, path: str) -> None:
        from pathlib import Path

        p = Path(path)
        settings.app_settings().setValue("files/last_folder", str(p if p.is_dir() else p.parent))

    def _on_open_model_triggered(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open a trained model", self._start_folder(),
                                              MODEL_FILTER)
        if path:
            self._remember_folder(path)
            self.request_open_model(path)

    def request_open_model(self, path: str) -> None:
        """Hand a model file to the Happy door.

        With the Architecture panel in front, the file is shown there instead (its layers,
        costs and diagram): see gui/model_open.py."""
        arch = self.panels.get("Architecture")
        if arch is not None and self.current_panel() is arch and hasattr(arch, "model_files"):
            arch.model_files.open(path)
            return
        self.ensure_panels()
        self.show_panel("Happy door")
        self.session.open_model_requested.emit(path)

    def _on_open_dataset_triggered(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Open a dataset file (cancel to choose a folder)", self._start_folder(),
            HDF5_FILTER)
        if not path:
            path = QFileDialog.getExistingDirectory(
                self, "Open a folder of images (one sub-folder per class)", self._start_folder())
        if path:
            self._remember_folder(path)
            self.request_open_dataset(path)

    def request_open_dataset(self, path: str) -> None:
        self.ensure_panels()
        self.show_panel("Data")
        self.session.open_dataset_requested.emit(path)

    # -- View / Help ---------------------------------------------------------------------------
    def _on_check_device_triggered(self) -> None:
        self.device.check()

    def _on_tf_poll_timeout(self) -> None:
        if "tensorflow" in sys.modules:
            self._tf_poll.stop()
            self.device.check()

    def _on_full_screen_triggered(self, on: bool) -> None:
        self.showFullScreen() if on else self.showNormal()

    def _on_about_triggered(self) -> None:
        QMessageBox.about(
            self, "About CNN Explorer",
            f"<h3>CNN Explorer {__version__}</h3>"
            "<p>See, cost, train and use the convolutional networks of the deep-learning "
            "course: LeNet-5, AlexNet, VGG-16, ResNet-50, Inception, and the Happy House.</p>"
            "<p>Layer shapes and costs are computed by the app's own core, instantly and "
            "without TensorFlow; TensorFlow is loaded only to train or to predict.</p>")

    def shortcut_lines(self) -> list[tuple[str, str]]:
        out = []
        for action in (self.action_open_model, self.action_open_dataset, self.action_quit,
                       *self.panel_actions, self.action_full_screen, self.action_shortcuts):
            key = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
            if key:
                out.append((key, action.text().replace("&", "")))
        return out

    def _on_shortcuts_triggered(self) -> None:
        rows = "".join(f"<tr><td><b>{k}</b>&nbsp;&nbsp;</td><td>{t}</td></tr>"
                       for k, t in self.shortcut_lines())
        QMessageBox.information(self, "Keyboard shortcuts",
                                f"<table>{rows}</table><p>In the layer table: click a column "
                                f"header to sort, a third click returns to network order; "
                                f"arrow keys move and open blocks.</p>")

    # -- session -------------------------------------------------------------------------------
    def _on_session_status_message(self, text: str) -> None:
        self.statusBar().showMessage(text, 8000)

    def _on_session_show_panel(self, title: str) -> None:
        self.show_panel(title)

    def _on_session_open_in_door(self, _image) -> None:
        self.show_panel("Happy door")

    # -- settings ------------------------------------------------------------------------------
    def _restore_settings(self) -> None:
        s = settings.app_settings()
        geometry = s.value("main_window/geometry")
        if isinstance(geometry, QByteArray) and not geometry.isEmpty():
            self.restoreGeometry(geometry)
        else:
            self.resize(first_run_size(self.screen()))
        state = s.value("main_window/state")
        if isinstance(state, QByteArray) and not state.isEmpty():
            self.restoreState(state)
        self.tabs.setCurrentIndex(settings.read_int("main_window/tab", 0))

    def save_settings(self) -> None:
        s = settings.app_settings()
        s.setValue("main_window/geometry", self.saveGeometry())
        s.setValue("main_window/state", self.saveState())
        s.setValue("main_window/tab", self.tabs.currentIndex())
        for widget in self.panels.values():
            save = getattr(widget, "save_state", None)
            if callable(save):
                try:
                    save()
                except Exception:  # a panel's bug must not block quitting
                    log.exception("saving the state of a panel failed")
        s.sync()

    def shutdown_panels(self) -> None:
        """Call each panel's `shutdown()` (stop cameras, ask workers to stop) if it has one."""
        for title, widget in self.panels.items():
            stop = getattr(widget, "shutdown", None)
            if callable(stop):
                try:
                    stop()
                except Exception:  # one panel's bug must not block quitting
                    log.exception("shutting down the %s panel failed", title)

    def closeEvent(self, event):
        self._tf_poll.stop()
        self.save_settings()
        self.shutdown_panels()  # each panel asks its workers to stop; none waits
        # The wait can last a training batch or a Keras import that cannot be interrupted:
        # the window goes now, the process ends when the workers have.
        self.hide()
        QApplication.processEvents(QEventLoop.ProcessEventsFlag.ExcludeUserInputEvents)
        self.workers_stopped = workers.stop_and_wait()  # the one wait (gui/workers.py)
        super().closeEvent(event)
