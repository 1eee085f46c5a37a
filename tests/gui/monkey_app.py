"""The monkey: drives the real main window with real events, as a student's mouse does (issue 17).

Run as a program, one scenario per process, so that a segmentation fault is a failed run (the
exit status and faulthandler's trace on stderr) and not a dead test runner:

    python tests/gui/monkey_app.py SCENARIO [--driver auto|xdotool|qtest] [--seed S]
                                            [--actions N] [--report FILE]

Scenarios: menus, buttons, diagram, door_video, training, evaluate3, random (see SCENARIOS).

Drivers: `xdotool` moves the X pointer and clicks through the X server (XTEST), so every event
takes the window system's path, double-clicks included (two real clicks 60 ms apart, not
QTest.mouseDClick); it needs QT_QPA_PLATFORM=xcb, a DISPLAY and the xdotool program. `qtest`
sends QTest events to the real widgets' windows (any platform, offscreen included). `auto`
picks xdotool when it can.

A run fails (exit status 1, the reasons on stderr and in the report) on: an error box (the
app's presenter or any QMessageBox.warning/critical), an ERROR logged by the app, an
exception escaping a slot, a window that does not close or a process that does not exit.
File dialogs, questions and information boxes are answered by the script, never shown.
tests/gui/test_monkey.py runs the scenarios; benchmarks/bench_monkey.py runs longer random ones.
"""

from __future__ import annotations

import argparse
import faulthandler
import json
import logging
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections import deque
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent))  # the checkout, before an installed copy

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("CNNEXPLORER_HOME", tempfile.mkdtemp(prefix="monkey-home-"))

from PySide6.QtCore import QEventLoop, QPoint, Qt, QTimer  # noqa: E402
from PySide6.QtGui import QKeySequence  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import (QAbstractButton, QApplication, QComboBox,  # noqa: E402
                               QFileDialog, QListWidget, QMessageBox, QScrollArea,
                               QTabWidget, QTreeWidget, QWidget)

#: seconds a step may wait for work on a thread (loaded CI machine: generous; a wait ends as
#: soon as its condition holds)
WORK_S = float(os.environ.get("MONKEY_WORK_S", "240"))


class MonkeyFailure(AssertionError):
    pass


# -- what the app says --------------------------------------------------------------------------
class Recorder:
    """Answers every dialog and records every box; errors fail the run."""

    def __init__(self, fixtures: Path):
        self.fixtures = fixtures
        self.errors: list[str] = []
        self.infos: list[str] = []
        self.dialogs: list[str] = []
        #: what the next file dialogs answer (None: cancel); empty: cancel
        self.answers: deque = deque()
        self.rng: random.Random | None = None  # random answers (the random scenario)
        #: the random scenario may hand a bad file: the app's refusal is then expected
        self.allow_warnings = False

    def install(self) -> None:
        from cnnexplorer.gui import errors

        rec = self

        def show_box(parent, icon, title, text, informative, details):
            # Critical: an unexpected exception (a bug). Warning: the app refusing a bad
            # input, which only the random answers of the random scenario hand it
            if icon == QMessageBox.Icon.Warning and rec.allow_warnings:
                rec.infos.append(f"warning box: {title}: {text}")
                return
            rec.errors.append(f"error box: {title}: {text}"
                              + (f"\n{details}" if details else ""))
        errors._show_box = show_box

        def box_exec(box):
            entry = f"{box.windowTitle()}: {box.text()}"
            if box.icon() in (QMessageBox.Icon.Critical, QMessageBox.Icon.Warning):
                rec.errors.append(f"message box: {entry}")
            else:
                rec.infos.append(entry)
            return QMessageBox.StandardButton.Ok
        QMessageBox.exec = box_exec

        def info(kind):
            def show(parent, title, text, *args, **kwargs):
                (rec.errors if kind in ("warning", "critical") else rec.infos).append(
                    f"{kind}: {title}: {text[:200]}")
                return QMessageBox.StandardButton.Ok
            return staticmethod(show)
        for kind in ("information", "warning", "critical", "about"):
            setattr(QMessageBox, kind, info(kind))

        def question(parent, title, text, *args, **kwargs):
            rec.infos.append(f"question: {title}")
            yes = rec.rng is not None and rec.rng.random() < 0.3
            return QMessageBox.StandardButton.Yes if yes else QMessageBox.StandardButton.No
        QMessageBox.question = staticmethod(question)

        def answer(kind):
            def ask(parent=None, caption="", *args, **kwargs):
                rec.dialogs.append(f"{kind}: {caption}")
                value = rec.next_answer(kind, caption)
                if kind == "getExistingDirectory":
                    return value or ""
                if kind == "getOpenFileNames":
                    return (value or [], "")
                return (value or "", "")
            return staticmethod(ask)
        for kind in ("getOpenFileName", "getOpenFileNames", "getSaveFileName",
                     "getExistingDirectory"):
            setattr(QFileDialog, kind, answer(kind))

        class ErrorLog(logging.Handler):
            def emit(self, record):
                if record.levelno >= logging.ERROR and not rec._logged_by_presenter(record):
                    rec.errors.append(f"log {record.name}: {record.getMessage()}")
        handler = ErrorLog(level=logging.ERROR)
        logging.getLogger("cnnexplorer").addHandler(handler)

    @staticmethod
    def _logged_by_presenter(record) -> bool:
        # present_error logs what it shows: the box is already counted
        return record.name == "cnnexplorer.gui" and record.funcName == "present_error"

    def next_answer(self, kind: str, caption: str):
        if self.answers:
            return self.answers.popleft()
        if self.rng is None:
            return None
        return self.random_answer(kind, caption)

    def random_answer(self, kind: str, caption: str):
        f = self.fixtures
        r = self.rng
        if r.random() < 0.3:
            return None  # the user cancels
        if kind == "getSaveFileName":
            return str(f / "out" / f"export-{r.randrange(10**6)}.csv")
        text = caption.lower()
        if kind == "getExistingDirectory":
            if "export" in text:
                return str(f / "out")
            return str(f / "classes") if "class" in text else str(f / "faces")
        if kind == "getOpenFileNames":
            return [str(p) for p in sorted((f / "faces").iterdir())[:r.randint(1, 3)]]
        if "video" in text:
            return str(r.choice([f / "clip.gif", f / "clip.mp4"]))
        if "model" in text:
            return str(f / "door_model.keras")
        if "dataset" in text:
            return str(f / "tiny.h5")
        return str(r.choice([f / "clip.gif", f / "tiny.h5", f / "door_model.keras"]))


def make_fixtures(folder: Path) -> Path:
    """A GIF and an MP4 (640x480, 24 frames), a few face photos, a tiny course-style HDF5 set,
    and the bundled door model copied (a file the dialogs can hand out)."""
    import cv2
    import h5py
    import numpy as np
    from PIL import Image, ImageDraw

    from cnnexplorer.paths import resource

    folder.mkdir(parents=True, exist_ok=True)
    (folder / "out").mkdir(exist_ok=True)
    frames = []
    for i in range(24):
        img = Image.new("RGB", (640, 480), (40 + 8 * i, 90, 140))
        d = ImageDraw.Draw(img)
        cx = 200 + 10 * i
        d.ellipse([cx, 120, cx + 220, 380], fill=(225, 190, 160))  # a face-ish oval
        d.ellipse([cx + 50, 200, cx + 80, 225], fill=(30, 30, 30))
        d.ellipse([cx + 140, 200, cx + 170, 225], fill=(30, 30, 30))
        d.arc([cx + 60, 260, cx + 160, 330], 20, 160, fill=(120, 20, 20), width=6)
        frames.append(img)
    frames[0].save(folder / "clip.gif", save_all=True, append_images=frames[1:], duration=80,
                   loop=0)
    writer = cv2.VideoWriter(str(folder / "clip.mp4"), cv2.VideoWriter_fourcc(*"mp4v"), 12,
                             (640, 480))
    for img in frames:
        writer.write(cv2.cvtColor(np.asarray(img), cv2.COLOR_RGB2BGR))
    writer.release()
    faces = folder / "faces"
    faces.mkdir(exist_ok=True)
    for i in (0, 8, 16):
        frames[i].resize((320, 240)).save(faces / f"face{i}.png")
    for label, shift in (("happy", 0), ("sad", 1)):  # a folder dataset, one folder a class
        sub = folder / "classes" / label
        sub.mkdir(parents=True, exist_ok=True)
        for i in range(6):
            frames[(2 * i + shift) % 24].resize((64, 48)).save(sub / f"{label}{i}.png")
    rng = np.random.default_rng(0)
    with h5py.File(folder / "tiny.h5", "w") as h5:
        h5["train_set_x"] = rng.integers(0, 255, (24, 64, 64, 3), dtype=np.uint8)
        h5["train_set_y"] = np.arange(24) % 2
        h5["test_set_x"] = rng.integers(0, 255, (8, 64, 64, 3), dtype=np.uint8)
        h5["test_set_y"] = np.arange(8) % 2
        h5["list_classes"] = np.array([b"not happy", b"happy"])
    shutil.copy(resource("door_model.keras"), folder / "door_model.keras")
    return folder


# -- how events are sent ------------------------------------------------------------------------
def pump(ms: int = 30) -> None:
    """Let the app run for `ms` milliseconds (events, timers, queued signals)."""
    end = time.monotonic() + ms / 1000
    app = QApplication.instance()
    while True:
        app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 10)
        if time.monotonic() >= end:
            return
        time.sleep(0.003)


def wait_until(condition, seconds: float, what: str) -> None:
    end = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > end:
            raise MonkeyFailure(f"timed out after {seconds:.0f} s waiting for {what}")
        pump(20)


class QTestDriver:
    """QTest events to the real widgets (any platform)."""

    name = "qtest"

    def click(self, widget: QWidget, pos: QPoint, button=Qt.MouseButton.LeftButton) -> None:
        QTest.mouseClick(widget, button, Qt.KeyboardModifier.NoModifier, pos)
        pump(20)

    def double_click(self, widget: QWidget, pos: QPoint) -> None:
        # a press and release before the double-click, as a real double-click delivers
        QTest.mouseClick(widget, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, pos)
        QTest.mouseDClick(widget, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, pos)
        pump(20)

    def keys(self, widget: QWidget, sequence: str) -> None:
        # as the keyboard does: to the focused widget of the active window
        window = widget.window()
        if QApplication.activeWindow() is not window:
            window.activateWindow()
            pump(20)
        focus = QApplication.focusWidget()
        target = focus if focus is not None and focus.window() is window else widget
        QTest.keySequence(target, QKeySequence(sequence))
        pump(20)

    def type_text(self, widget: QWidget, text: str) -> None:
        QTest.keyClicks(widget, text)
        pump(20)


class XdotoolDriver:
    """Real X events: the pointer moves and clicks through the X server (XTEST)."""

    name = "xdotool"

    @staticmethod
    def available() -> bool:
        return (QApplication.platformName() == "xcb" and bool(os.environ.get("DISPLAY"))
                and shutil.which("xdotool") is not None)

    def _run(self, *args: str) -> None:
        proc = subprocess.Popen(["xdotool", *args])
        while proc.poll() is None:  # keep the app running while the X server delivers
            pump(10)
        if proc.returncode:
            raise MonkeyFailure(f"xdotool {' '.join(args)} failed ({proc.returncode})")

    def _move(self, widget: QWidget, pos: QPoint) -> None:
        g = widget.mapToGlobal(pos)
        self._run("mousemove", "--sync", str(g.x()), str(g.y()))

    def click(self, widget: QWidget, pos: QPoint, button=Qt.MouseButton.LeftButton) -> None:
        self._move(widget, pos)
        self._run("click", "3" if button == Qt.MouseButton.RightButton else "1")
        pump(40)

    def double_click(self, widget: QWidget, pos: QPoint) -> None:
        self._move(widget, pos)
        self._run("click", "--repeat", "2", "--delay", "60", "1")
        pump(40)

    def keys(self, widget: QWidget, sequence: str) -> None:
        # the key goes to the window under the pointer (no window manager: focus follows it)
        self._move(widget, QPoint(widget.width() // 2, min(widget.height() // 2, 10)))
        self._run("key", "--clearmodifiers", self.keysym(sequence))
        pump(40)

    @staticmethod
    def keysym(sequence: str) -> str:
        """Qt's 'Ctrl+Q' as xdotool's 'ctrl+q' (an upper-case letter would add Shift)."""
        parts = sequence.split("+")
        return "+".join(p.lower() if p in ("Ctrl", "Shift", "Alt") or len(p) == 1 else p
                        for p in parts)

    def type_text(self, widget: QWidget, text: str) -> None:
        self._run("type", "--delay", "20", text)
        pump(40)


def make_driver(kind: str):
    if kind == "auto":
        kind = "xdotool" if XdotoolDriver.available() else "qtest"
    if kind == "xdotool":
        if not XdotoolDriver.available():
            raise SystemExit("the xdotool driver needs QT_QPA_PLATFORM=xcb, DISPLAY and xdotool")
        return XdotoolDriver()
    return QTestDriver()


# -- the monkey ---------------------------------------------------------------------------------
class Monkey:
    """User gestures on the main window, through a driver; every step is logged."""

    def __init__(self, window, driver, recorder: Recorder, fixtures: Path):
        self.window = window
        self.driver = driver
        self.rec = recorder
        self.fixtures = fixtures
        self.steps: list[str] = []
        # A button's menu or a context menu runs its own event loop (QMenu.exec): the script,
        # inside that loop, would wait forever. A timer (it runs in any loop) closes a popup
        # that no gesture of the script is waiting for, as a user pressing Escape would.
        self.expect_popup = False
        self._popup_seen: tuple[int, float] | None = None
        self._guard = QTimer()
        self._guard.setInterval(250)
        self._guard.timeout.connect(self._close_stray_popup)
        self._guard.start()

    def _close_stray_popup(self) -> None:
        popup = QApplication.activePopupWidget()
        if popup is None or self.expect_popup:
            self._popup_seen = None
            return
        if self._popup_seen is None or self._popup_seen[0] != id(popup):
            self._popup_seen = (id(popup), time.monotonic())
        elif time.monotonic() - self._popup_seen[1] > 0.6:
            self.steps.append(f"closed a popup ({type(popup).__name__})")
            popup.close()

    # bookkeeping
    def step(self, text: str) -> None:
        self.steps.append(text)
        if os.environ.get("MONKEY_VERBOSE"):
            print(f"[monkey] {len(self.steps)}: {text}", file=sys.stderr, flush=True)
        self.check()

    def check(self) -> None:
        if self.rec.errors:
            raise MonkeyFailure("; ".join(self.rec.errors[:5]))

    # gestures
    def show(self, widget: QWidget) -> bool:
        """Scroll `widget` into view where a scroll area holds it; False when it cannot be
        seen (a hidden tab, a zero size)."""
        parent = widget.parentWidget()
        while parent is not None:
            if isinstance(parent, QScrollArea) and parent.widget() is not None \
                    and parent.widget().isAncestorOf(widget):
                parent.ensureWidgetVisible(widget, 10, 10)
            parent = parent.parentWidget()
        pump(10)
        return widget.isVisible() and not widget.visibleRegion().isEmpty()

    def click(self, widget: QWidget, pos: QPoint | None = None, what: str = "") -> None:
        if not self.show(widget):
            raise MonkeyFailure(f"cannot click {what or widget}: not on screen")
        if pos is None:
            pos = widget.visibleRegion().boundingRect().center()
        self.driver.click(widget, pos)
        self.step(f"click {what or _describe(widget)}")

    def double_click(self, widget: QWidget, pos: QPoint, what: str) -> None:
        self.driver.double_click(widget, pos)
        self.step(f"double-click {what}")

    def keys(self, sequence: str) -> None:
        self.driver.keys(self.window, sequence)
        self.step(f"keys {sequence}")

    def panel(self, title: str):
        from cnnexplorer.gui.main_window import PANELS

        index = [p.title for p in PANELS].index(title)
        self.keys(f"Ctrl+{index + 1}")
        wait_until(lambda: self.window.tabs.currentIndex() == index, 30, f"panel {title}")
        pump(50)
        return self.window.panels[title]

    def tab(self, tabs: QTabWidget, index: int) -> None:
        bar = tabs.tabBar()
        self.click(bar, bar.tabRect(index).center(), f"tab {tabs.tabText(index)!r}")
        wait_until(lambda: tabs.currentIndex() == index, 30, f"tab {tabs.tabText(index)}")

    def menu(self, *path: str) -> None:
        """Open the menu bar's menus along `path` (texts without '&') and trigger the last."""
        self.expect_popup = True
        try:
            self._menu(path)
        finally:
            self.expect_popup = False
        self.step(f"menu {' > '.join(path)}")
        pump(50)

    def _menu(self, path) -> None:
        bar = self.window.menuBar()
        actions = bar.actions()
        owner: QWidget = bar
        for depth, text in enumerate(path):
            action = next((a for a in actions if a.text().replace("&", "") == text), None)
            if action is None:
                raise MonkeyFailure(f"no menu entry {' > '.join(path[:depth + 1])}")
            rect = owner.actionGeometry(action)
            last = depth == len(path) - 1
            self.driver.click(owner, rect.center())
            if not last:
                sub = action.menu()
                wait_until(sub.isVisible, 10, f"menu {text}")
                owner, actions = sub, sub.actions()

    def choose(self, combo: QComboBox, index: int, what: str = "") -> None:
        self.expect_popup = True
        try:
            self._choose(combo, index, what)
        finally:
            self.expect_popup = False

    def _choose(self, combo: QComboBox, index: int, what: str) -> None:
        self.click(combo, what=f"combo {what}")
        view = combo.view()
        wait_until(view.isVisible, 10, f"the list of {what}")
        model_index = view.model().index(index, combo.modelColumn())
        view.scrollTo(model_index)
        # the popup ignores a release for a double-click interval after it opens (so the
        # click that opened it does not also choose): wait as long as a user's hand does
        pump(QApplication.doubleClickInterval() + 50)
        self.driver.click(view.viewport(), view.visualRect(model_index).center())
        wait_until(lambda: not view.isVisible(), 10, f"the list of {what} to close")
        self.step(f"choose {combo.itemText(index)!r} in {what}")

    def set_spin(self, spin, value: int, what: str) -> None:
        edit = spin.lineEdit()
        self.click(edit, what=f"spin {what}")
        self.driver.keys(edit, "Ctrl+A")
        self.driver.type_text(edit, str(value))
        self.driver.keys(edit, "Tab")
        wait_until(lambda: spin.value() == value, 10, f"{what} = {value}")
        self.step(f"set {what} to {value}")

    def list_item(self, view: QListWidget, row: int) -> None:
        item = view.item(row)
        view.scrollToItem(item)
        pump(10)
        self.click(view.viewport(), view.visualItemRect(item).center(),
                   f"list item {item.text()[:40]!r}")

    def tree_item(self, tree: QTreeWidget, item) -> None:
        tree.scrollToItem(item)
        pump(10)
        self.click(tree.viewport(), tree.visualItemRect(item).center(),
                   f"tree item {item.text(0)[:40]!r}")

    def quit(self) -> None:
        """File > Quit with the keyboard, as a user leaves (from the menu if the key is lost,
        as a user would try next). The offscreen platform binds no key to the standard Quit."""
        if self.window.action_quit.shortcut().isEmpty():
            self.menu("File", "Quit")
            return
        self.keys("Ctrl+Q")
        try:
            wait_until(lambda: not self.window.isVisible(), 10, "Ctrl+Q to close the window")
        except MonkeyFailure:
            self.steps.append(f"Ctrl+Q did not close the window (active window "
                              f"{QApplication.activeWindow()}, focus "
                              f"{QApplication.focusWidget()}); File > Quit instead")
            self.menu("File", "Quit")


def _describe(widget: QWidget) -> str:
    text = widget.text() if isinstance(widget, QAbstractButton) else ""
    return f"{type(widget).__name__} {text!r}" if text else type(widget).__name__


# -- helpers shared by scenarios ----------------------------------------------------------------
def buttons_of(widget: QWidget) -> list[QAbstractButton]:
    """The buttons a user can click in `widget` now (visible, enabled), in reading order."""
    found = [b for b in widget.findChildren(QAbstractButton)
             if b.isVisible() and b.isEnabled() and b.window() is widget.window()
             and not b.visibleRegion().isEmpty() and type(b).__name__ != "QTabBarCloseButton"]
    return sorted(found, key=lambda b: (b.mapTo(widget.window(), QPoint(0, 0)).y(),
                                        b.mapTo(widget.window(), QPoint(0, 0)).x()))


#: buttons that start long work or replace the app's state; the work scenarios click them
LONG_WORK = {"Start", "Preset: plain vs residual", "Train the door on my captures",
             "Train with the new head", "Continue"}


def zoo_item(arch, key: str):
    from cnnexplorer.gui.architecture.zoo_browser import ENTRY_ROLE

    tree = arch.zoo_browser.tree
    for item in arch._entry_items():
        if item.data(0, ENTRY_ROLE) == key:
            return tree, item
    raise MonkeyFailure(f"no zoo entry {key}")


def pick_entry(m: Monkey, key: str) -> None:
    arch = m.window.panels["Architecture"]
    tree, item = zoo_item(arch, key)
    m.tree_item(tree, item)
    wait_until(lambda: arch._entry is not None and arch._entry.key == key, 30, f"entry {key}")
    pump(100)


def wait_training_done(m: Monkey, panel) -> None:
    wait_until(lambda: panel.start_button.isEnabled() and not panel.stop_button.isEnabled(),
               WORK_S, "the training to finish")


def door_results(panel) -> list:
    """Count the door's judged results from now on."""
    seen: list = []
    panel.worker.result.connect(lambda res: seen.append(1))
    return seen


# -- scenarios ----------------------------------------------------------------------------------
def scenario_menus(m: Monkey) -> None:
    """Every menu action, through the menu bar; Quit last."""
    f = m.fixtures
    m.panel("Architecture")
    m.rec.answers.extend([str(f / "door_model.keras")])
    m.menu("File", "Open model...")  # with Architecture in front: the model's layers
    m.rec.answers.extend([str(f / "tiny.h5")])
    m.menu("File", "Open dataset...")
    wait_until(lambda: m.window.tabs.tabText(m.window.tabs.currentIndex()) == "Data", 30,
               "the Data panel")
    data = m.window.panels["Data"]
    wait_until(lambda: getattr(m.window.session, "dataset", None) is not None, WORK_S,
               "the tiny dataset to load")
    m.panel("Architecture")
    export_menu = next(a.menu() for a in m.window.menuBar().actions()[0].menu().actions()
                       if a.menu() is not None)
    for action in export_menu.actions():
        text = action.text().replace("&", "")
        m.rec.answers.append(str(f / "out") if "PNG" in text
                             else str(f / "out" / f"table-{len(m.steps)}"))
        m.menu("File", "Export", text)
    for title in ("1 Architecture", "2 Data", "3 Training", "4 Happy door"):
        m.menu("View", title)
        pump(100)
    m.menu("View", "Check compute device")
    m.menu("View", "Full screen")
    pump(300)
    m.menu("View", "Full screen")
    pump(300)
    m.menu("Help", "Keyboard shortcuts")
    m.menu("Help", "About CNN Explorer")
    if len([i for i in m.rec.infos if "Keyboard" in i or "About" in i]) < 2:
        raise MonkeyFailure(f"Help boxes not shown: {m.rec.infos}")
    del data
    m.menu("File", "Quit")


def scenario_buttons(m: Monkey) -> None:
    """Every tab and every button of every panel (the long work ones: the work scenarios)."""
    f = m.fixtures
    m.rec.rng = random.Random(0)  # dialogs: a file, a folder or cancel, reproducibly
    for title in ("Architecture", "Data", "Training", "Happy door"):
        panel = m.panel(title)
        for tabs in panel.findChildren(QTabWidget):
            if tabs.isVisible():
                for i in range(tabs.count()):
                    m.tab(tabs, i)
                    _click_buttons(m, tabs.widget(i))
                m.tab(tabs, 0)
        _click_buttons(m, panel)
    del f
    m.quit()


def _click_buttons(m: Monkey, root: QWidget) -> None:
    done: set[int] = set()
    for _ in range(3):  # a click may show more buttons: look again
        fresh = [b for b in buttons_of(root) if id(b) not in done and b.text() not in LONG_WORK]
        if not fresh:
            return
        for b in fresh:
            done.add(id(b))
            if b.isVisible() and b.isEnabled() and not b.visibleRegion().isEmpty():
                m.click(b)  # a button's menu pops up: the guard closes it
                pump(60)
                _wait_for_dataset_loads(m)


def _wait_for_dataset_loads(m: Monkey) -> None:
    """Let a dataset load end before the next click (scenario data_reload clicks through)."""
    data = m.window.panels.get("Data")
    cancel = getattr(data, "cancel_button", None)
    if cancel is not None:
        wait_until(cancel.isHidden, WORK_S, "the dataset to load")


def scenario_data_reload(m: Monkey) -> None:
    """Open another dataset while one still loads: Load (the generated happy faces take
    seconds), then Open file and Open folder at once, as an impatient user does."""
    f = m.fixtures
    data = m.panel("Data")
    m.choose(data.builtin, data.builtin.findData("happy-faces"), "built-in set")
    m.click(data.load_builtin_button)
    m.rec.answers.extend([str(f / "tiny.h5"), str(f / "classes")])
    m.click(data.open_file_button)
    m.click(data.open_folder_button)
    _wait_for_dataset_loads(m)
    m.click(data.load_builtin_button)
    m.quit()  # while it loads


def scenario_diagram(m: Monkey) -> None:
    """Double-click every item of the diagram of three networks, folded and unfolded.

    Folded: every block box at the top level (a double-click unfolds it). Unfolded: inside
    each block just opened, the first box (a layer or a nested block) and, with MONKEY_FULL=1,
    every box (a layer folds its block again, a nested block unfolds)."""
    full = os.environ.get("MONKEY_FULL") == "1"
    arch = m.panel("Architecture")
    for key in ("googlenet", "resnet50_course", "vgg16"):
        pick_entry(m, key)
        views = arch.views
        m.tab(views, [views.tabText(i) for i in range(views.count())].index("Diagram"))
        view = arch.diagram
        wait_until(lambda v=view: v.layout_data is not None, 30, "the diagram")
        view.set_collapse_depth(1)  # every block folded (set-up; the clicks below are real)
        pump(100)
        folded = view.collapsed
        blocks = [b.block for b in view.layout_data.boxes if b.is_block]
        if not blocks:
            raise MonkeyFailure(f"{key}: no folded block in the diagram")
        for block in blocks:
            view.set_collapse_depth(1)
            wait_until(lambda v=view, f=folded: v.collapsed == f, 30, "the folded diagram")
            box = next(b for b in view.layout_data.boxes if b.is_block and b.block == block)
            _toggle(m, view, box, f"{key}: folded block {block}")
            inside = [b.id for b in view.layout_data.boxes
                      if b.block == block or b.block.startswith(block + "/")]
            for box_id in (inside if full else inside[:1]):
                box = view.layout_data.box(box_id) if box_id in _ids(view) else None
                if box is not None:
                    _toggle(m, view, box, f"{key}: unfolded, {box.title} in {block}")
        m.tab(views, 0)
    m.quit()


def _ids(view) -> set:
    return {b.id for b in view.layout_data.boxes}


def _toggle(m: Monkey, view, box, what: str) -> None:
    """Double-click a box; wait for the diagram to fold or unfold in answer."""
    before = view.collapsed
    _dclick_box(m, view, box, what)
    wait_until(lambda: view.collapsed != before, 30, f"the diagram to answer ({what})")
    pump(30)


def _dclick_box(m: Monkey, view, box, what: str) -> None:
    from PySide6.QtCore import QPointF

    center = QPointF(box.x + box.w / 2, box.y + min(box.h / 2, 12))
    view.centerOn(center)
    pump(20)
    pos = view.mapFromScene(center)
    m.double_click(view.viewport(), pos, what)
    pump(30)


def scenario_door_video(m: Monkey) -> None:
    """Play a GIF, then an MP4, at the door; close the window while the video plays."""
    f = m.fixtures
    door = m.panel("Happy door")
    seen = door_results(door)
    for clip in ("clip.gif", "clip.mp4"):
        before = len(seen)
        m.rec.answers.append(str(f / clip))
        m.click(door.video_btn)
        wait_until(lambda n=before: len(seen) >= n + 5, WORK_S, f"frames of {clip} judged")
    m.panel("Training")  # switch panels while the video plays
    m.panel("Happy door")
    m.quit()


def _train_a_run(m: Monkey, epochs: int = 1):
    """Train happymodel on the built-in happy-faces with real clicks; returns the panel."""
    panel = m.panel("Training")
    form = panel.form
    m.choose(form.dataset_combo, form.dataset_combo.findData("happy-faces"), "dataset")
    m.choose(form.arch_combo, form.arch_combo.findData("happymodel"), "architecture")
    m.set_spin(form.epochs, epochs, "epochs")
    runs_before = panel.runs_list.count()
    m.click(panel.start_button)
    wait_until(lambda: panel.stop_button.isEnabled() or panel.runs_list.count() > runs_before,
               WORK_S, "the training to start")
    return panel, runs_before


def scenario_training(m: Monkey) -> None:
    """Train; switch panels, models, runs and entries while it runs; close while training."""
    panel, runs_before = _train_a_run(m, epochs=2)
    m.panel("Architecture")
    pick_entry(m, "lenet5")
    m.panel("Data")
    door = m.panel("Happy door")
    if door.models.combo.count() > 1:
        m.choose(door.models.combo, door.models.combo.count() - 1, "door model")
    m.panel("Training")
    for row in range(min(3, panel.runs_list.count())):
        m.list_item(panel.runs_list, row)
    wait_training_done(m, panel)
    wait_until(lambda: panel.runs_list.count() > runs_before, 30, "the new run in the list")
    door = m.panel("Happy door")
    m.choose(door.models.combo, 0, "door model")
    panel = m.panel("Training")
    m.set_spin(panel.form.epochs, 5, "epochs")
    m.click(panel.start_button)
    wait_until(panel.stop_button.isEnabled, WORK_S, "the second training to start")
    pump(1500)
    m.quit()  # while training


def scenario_evaluate3(m: Monkey) -> None:
    """Evaluate the same run three times (it once worked only once)."""
    panel, _ = _train_a_run(m, epochs=1)
    wait_training_done(m, panel)
    m.list_item(panel.runs_list, 0)
    for i in range(3):
        marker = f"monkey-{i}"
        panel.status_label.setText(marker)
        m.click(panel.evaluate_button)
        wait_until(lambda: panel.status_label.text().startswith("Evaluated") or m.rec.errors,
                   WORK_S, f"evaluation {i + 1}")
        m.check()
    m.quit()


def scenario_random(m: Monkey, seed: int, actions: int) -> None:
    """A seeded random sequence of user actions across the panels."""
    rng = random.Random(seed)
    m.rec.rng = rng
    m.rec.allow_warnings = True  # random answers include files the app must refuse
    sizes = ((1024, 700), (1440, 900), (1280, 800))
    for n in range(actions):
        current = m.window.current_panel()
        choice = rng.random()
        try:
            if choice < 0.12:
                m.panel(rng.choice(["Architecture", "Data", "Training", "Happy door"]))
            elif choice < 0.45:
                buttons = [b for b in buttons_of(current)
                           if b.text() not in ("Start", "Preset: plain vs residual")
                           or rng.random() < 0.15]
                if buttons:
                    b = rng.choice(buttons)
                    m.click(b)
            elif choice < 0.55:
                tabs = [t for t in current.findChildren(QTabWidget) if t.isVisible()]
                if tabs:
                    t = rng.choice(tabs)
                    m.tab(t, rng.randrange(t.count()))
            elif choice < 0.68:
                combos = [c for c in current.findChildren(QComboBox)
                          if c.isVisible() and c.isEnabled() and c.count() > 0
                          and not c.visibleRegion().isEmpty()]
                if combos:
                    c = rng.choice(combos)
                    m.choose(c, rng.randrange(c.count()), c.toolTip()[:30] or "a combo")
            elif choice < 0.80:
                lists = [v for v in current.findChildren(QListWidget)
                         if v.isVisible() and v.count() > 0]
                trees = [t for t in current.findChildren(QTreeWidget)
                         if t.isVisible() and t.topLevelItemCount() > 0]
                if lists and (not trees or rng.random() < 0.5):
                    v = rng.choice(lists)
                    m.list_item(v, rng.randrange(v.count()))
                elif trees:
                    t = rng.choice(trees)
                    top = t.topLevelItem(rng.randrange(t.topLevelItemCount()))
                    item = top.child(rng.randrange(top.childCount())) if top.childCount() \
                        and top.isExpanded() else top
                    m.tree_item(t, item)
            elif choice < 0.92:
                arch = m.window.panels["Architecture"]
                view = arch.diagram
                if current is arch and view is not None and view.isVisible() \
                        and view.layout_data is not None and view.layout_data.boxes:
                    box = rng.choice(view.layout_data.boxes)
                    _dclick_box(m, view, box, f"diagram box {box.title}")
                else:
                    m.keys(rng.choice(["Ctrl+1", "Ctrl+2", "Ctrl+3", "Ctrl+4"]))
            else:
                w, h = rng.choice(sizes)
                m.window.resize(w, h)
                pump(100)
                m.step(f"resize {w}x{h}")
        except MonkeyFailure as exc:
            if "not on screen" in str(exc) or "timed out" in str(exc) and "list of" in str(exc):
                # the widget moved or a popup did not open: that's a gesture missed, not a bug
                popup = QApplication.activePopupWidget()
                if popup is not None:
                    popup.close()
                m.steps.append(f"skipped: {exc}")
                continue
            raise
        del n
    m.quit()


SCENARIOS = {
    "menus": scenario_menus,
    "buttons": scenario_buttons,
    "diagram": scenario_diagram,
    "door_video": scenario_door_video,
    "training": scenario_training,
    "evaluate3": scenario_evaluate3,
    "data_reload": scenario_data_reload,
    "random": scenario_random,
}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenario", choices=sorted(SCENARIOS))
    parser.add_argument("--driver", default="auto", choices=("auto", "xdotool", "qtest"))
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--actions", type=int,
                        default=int(os.environ.get("MONKEY_ACTIONS", "150")))
    parser.add_argument("--report", help="write a JSON report here")
    parser.add_argument("--size", default="1440x900")
    args = parser.parse_args(argv)
    faulthandler.enable()  # a segfault prints every thread's Python stack on stderr

    from cnnexplorer.gui.app import create_application
    from cnnexplorer.gui.main_window import MainWindow

    app = create_application()
    fixtures = make_fixtures(Path(os.environ["CNNEXPLORER_HOME"]) / "monkey-fixtures")
    rec = Recorder(fixtures)
    rec.install()
    driver = make_driver(args.driver)
    window = MainWindow(deferred=True)
    width, height = (int(v) for v in args.size.split("x"))
    window.resize(width, height)
    window.move(0, 0)
    window.show()
    started = time.monotonic()
    report = {"scenario": args.scenario, "driver": driver.name, "seed": args.seed,
              "platform": QApplication.platformName()}
    closed = []
    window.destroyed.connect(lambda: closed.append(1))
    m = Monkey(window, driver, rec, fixtures)
    failure = None
    try:
        done = []
        window.setup_finished.connect(lambda: done.append(1))
        wait_until(lambda: done, 120, "the window to finish setting up")
        window.raise_()
        window.activateWindow()
        pump(200)
        run = SCENARIOS[args.scenario]
        if args.scenario == "random":
            run(m, args.seed, args.actions)
        else:
            run(m)
        # every scenario ends by quitting: the window must close and the work stop
        wait_until(lambda: not window.isVisible(), WORK_S, "the window to close")
        pump(200)
        m.check()
    except MonkeyFailure as exc:
        failure = str(exc)
    except Exception as exc:  # noqa: BLE001 - the harness itself broke: say so, never pass
        import traceback

        failure = f"harness error: {type(exc).__name__}: {exc}\n{traceback.format_exc()}"
    if failure is None and rec.errors:
        failure = "; ".join(rec.errors[:5])
    report.update({"steps": len(m.steps), "seconds": round(time.monotonic() - started, 1),
                   "errors": rec.errors, "infos": rec.infos[:50], "failure": failure,
                   "last_steps": m.steps[-15:]})
    if args.report:
        Path(args.report).write_text(json.dumps(report, indent=1))
    print(json.dumps({k: report[k] for k in ("scenario", "driver", "steps", "seconds",
                                             "failure")}), flush=True)
    if failure:
        print(f"MONKEY FAILED ({args.scenario}, {driver.name}): {failure}\nlast steps:\n  "
              + "\n  ".join(m.steps[-15:]), file=sys.stderr, flush=True)
    if window.isVisible():
        window.close()
        pump(200)
    app.processEvents()
    return 1 if failure else 0


if __name__ == "__main__":
    sys.exit(main())
