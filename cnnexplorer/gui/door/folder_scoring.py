"""The Door panel's "Score a folder…": the door scored on a folder of labelled photos.

Runs `core.door.folder_score.score_folder` (what `cnnexplorer evaluate door FOLDER` runs) with
the panel's model, threshold and rule for several faces in a `gui.workers.Worker`, says its
progress on the panel's message line and shows the report (per-photo verdicts, confusion
matrix, ROC AUC, the best threshold, faces not found) in a window of its own. Computes
nothing itself.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import QDialog, QFileDialog, QPlainTextEdit, QVBoxLayout, QWidget

from cnnexplorer.core.door.folder_score import score_folder
from cnnexplorer.gui.workers import Worker


class ScoreReport(QDialog):
    """The report of one scoring, as text the user can select and copy."""

    def __init__(self, text: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("The door on a labelled folder")
        self.text = QPlainTextEdit(text)
        self.text.setReadOnly(True)
        self.text.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        layout = QVBoxLayout(self)
        layout.addWidget(self.text)
        self.resize(720, 560)


class FolderScoring:
    """Owned by the DoorPanel: `ask()` (the button), `start(folder)`, `shutdown()`."""

    def __init__(self, panel):
        self.panel = panel
        self.worker: Worker | None = None
        self.last_score = None
        self.report: ScoreReport | None = None

    def ask(self) -> None:
        folder = QFileDialog.getExistingDirectory(
            self.panel, "Score the door on a labelled folder (happy/ and not_happy/, or "
                        "names ending _1 / _0)")
        if folder:
            self.start(folder)

    def start(self, folder) -> bool:
        """Score the door on `folder` with the panel's model, threshold and rule."""
        door = self.panel.worker.door
        if door is None:
            self.panel.show_message("The door model is still loading; score the folder once "
                                    "it is ready.", error=True)
            return False
        if self.worker is not None and self.worker.is_running():
            self.panel.show_message("A folder is being scored already.", error=True)
            return False
        threshold = self.panel.threshold_value()
        rule = self.panel.rule_combo.currentData()
        name = Path(str(folder)).name

        def job(on_event, stop):
            return score_folder(door, folder, threshold, rule, stop=stop,
                                on_progress=lambda done, total: on_event((done, total)))

        self.worker = Worker(job, "score the door on a folder", on_error=self._on_error)
        self.worker.reported.connect(
            lambda p: self.panel.show_message(f"Scoring {name}: {p[0]} of {p[1]} photos…"))
        self.worker.returned.connect(self._on_scored)
        self.panel.show_message(f"Scoring {name} with the door (threshold {threshold:g}, "
                                f"several faces: {rule})…")
        self.worker.start()
        return True

    def _on_scored(self, score) -> None:
        self.last_score = score
        auc = score.roc_auc
        t, acc = score.best_threshold()
        self.panel.show_message(
            f"{Path(score.folder).name}: accuracy {score.accuracy:.3f} on {len(score.photos)} "
            f"photos, ROC AUC {'n/a' if auc is None else f'{auc:.3f}'}, best threshold "
            f"{t:.2f} ({acc:.3f}); {len(score.no_face)} without a face found.")
        if self.report is None:
            self.report = ScoreReport(score.report(), self.panel)
        else:
            self.report.text.setPlainText(score.report())
        self.report.show()
        self.report.raise_()

    def _on_error(self, exc) -> None:
        self.panel.show_message(f"Scoring the folder failed: {exc}", error=True)

    def shutdown(self) -> None:
        if self.worker is not None:
            self.worker.request_stop()
