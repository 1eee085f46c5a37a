"""The list of saved runs: a checkbox per run overlays its curves; selection picks the run that
Evaluate / Continue / Export / Delete act on."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QListWidget, QListWidgetItem, QWidget

from cnnexplorer.core.train import runs as runs_mod


def _run_label(summary: dict) -> str:
    """'NAME  [finished, 10 ep, val acc 72% at best epoch 4]': the best model's validation
    accuracy, the model Evaluate and the door load (not the last epoch's)."""
    best = summary.get("best")
    score = f", {best.short_text()}" if best is not None else ""
    return f"{summary['name']}  [{summary['status']}, {summary['epochs_run']} ep{score}]"


def _run_tooltip(run, summary: dict) -> str:
    best = summary.get("best")
    lines = [str(run.path), f"{summary.get('architecture', '?')} on {summary.get('dataset', '?')}",
             summary.get("message", "")]
    if best is not None:
        lines.append(f"Evaluate, Export and the door use {best.long_text()}.")
        last = summary.get("val_accuracy")
        if isinstance(last, float) and best.epoch != best.epochs:
            lines.append(f"The last epoch's validation accuracy (the curves' end): {last:.1%}.")
    return "\n".join(lines)


class RunsList(QListWidget):
    overlays_changed = Signal(list)  # [(name, history)] of the checked runs

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setToolTip("Saved runs. Tick runs to overlay their per-epoch curves; select one "
                        "to evaluate, continue, export or delete it.")
        self._refreshing = False
        self.itemChanged.connect(self._on_self_item_changed)

    def refresh(self, check: list[str] | None = None) -> None:
        """Reload from the runs folder, keeping ticks and selection; tick `check` too."""
        checked = set(self.checked_paths()) | set(check or [])
        selected = self.selected_run()
        self._refreshing = True
        self.clear()
        for run in reversed(runs_mod.list_runs()):  # newest first
            try:
                summary = run.summary()
            except Exception as exc:  # noqa: BLE001 - a damaged run folder is listed, not fatal
                summary = {"name": run.name, "status": f"unreadable: {exc}", "epochs_run": 0}
            item = QListWidgetItem(_run_label(summary))
            item.setData(Qt.ItemDataRole.UserRole, str(run.path))
            item.setToolTip(_run_tooltip(run, summary))
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if str(run.path) in checked
                               else Qt.CheckState.Unchecked)
            self.addItem(item)
            if selected is not None and run.path == selected.path:
                self.setCurrentItem(item)
        self._refreshing = False
        self._emit_overlays()

    def checked_paths(self) -> list[str]:
        return [self.item(i).data(Qt.ItemDataRole.UserRole) for i in range(self.count())
                if self.item(i).checkState() == Qt.CheckState.Checked]

    def checked_runs(self) -> list:
        """The ticked runs, newest first (as listed)."""
        return [runs_mod.Run(Path(path)) for path in self.checked_paths()]

    def selected_run(self):
        item = self.currentItem()
        if item is None:
            return None
        return runs_mod.Run(Path(item.data(Qt.ItemDataRole.UserRole)))

    def _on_self_item_changed(self, item) -> None:
        if not self._refreshing:
            self._emit_overlays()

    def _emit_overlays(self) -> None:
        out = []
        for path in self.checked_paths():
            run = runs_mod.Run(Path(path))
            try:
                out.append((run.name.split("_", 1)[-1], run.history()))
            except Exception:  # noqa: BLE001 - a damaged run's history is left off the chart
                continue
        self.overlays_changed.emit(out)
