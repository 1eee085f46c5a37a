"""Export of the Architecture panel: the table as CSV / Markdown / JSON, the charts as PNG.

A mixin of `ArchitecturePanel` (it reads the panel's report, entry, valid configuration and
batch size). CSV and Markdown come from `core.views.render` (the CLI's renderers), JSON is
`cost.report_to_dict` (the shape of `cnnexplorer inspect --json`) plus the options, so an
export never disagrees with the CLI. Files are written atomically.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QFileDialog

from cnnexplorer.core.safe_files import atomic_write_bytes
from cnnexplorer.core.arch.cost import report_to_dict
from cnnexplorer.core.errors import ConfigError
from cnnexplorer.gui import settings
from cnnexplorer.gui.errors import present_error
from cnnexplorer.core.formatting import shape_text
from cnnexplorer.core.views import render

log = logging.getLogger(__name__)

EXPORT_FORMATS = {"csv": "CSV (*.csv)", "md": "Markdown (*.md)", "json": "JSON (*.json)"}


class ExportMixin:
    """`export_actions` for menus, `export_table(path, fmt)` and `export_charts(folder)`."""

    # -- export ----------------------------------------------------------------------------
    def _make_export_actions(self) -> list[QAction]:
        actions = []
        for fmt, label in (("csv", "Layer table as &CSV..."), ("md", "Layer table as &Markdown..."),
                           ("json", "Layer table as &JSON (CLI shape)...")):
            action = QAction(label, self)
            action.triggered.connect(lambda _=False, f=fmt: self._on_export_table(f))
            actions.append(action)
        charts = QAction("Charts as &PNG...", self)
        charts.triggered.connect(self._on_export_charts)
        actions.append(charts)
        return actions

    def _stem(self) -> str:
        return self._entry.key if self._entry else "architecture"

    def _on_export_table(self, fmt: str) -> None:
        folder = settings.app_settings().value("export/folder", str(Path.home()))
        path, _ = QFileDialog.getSaveFileName(self, "Export the layer table",
                                              str(Path(folder) / f"{self._stem()}.{fmt}"),
                                              EXPORT_FORMATS[fmt])
        if not path:
            return
        try:
            written = self.export_table(path, fmt)
        except Exception as exc:  # noqa: BLE001 - a full disk, a read-only folder: shown
            present_error(self, "Could not export the layer table", exc)
            return
        settings.app_settings().setValue("export/folder", str(written.parent))
        self.session.status_message.emit(f"Layer table written to {written}")

    def _on_export_charts(self) -> None:
        folder = settings.app_settings().value("export/folder", str(Path.home()))
        chosen = QFileDialog.getExistingDirectory(self, "Export the charts to a folder",
                                                  str(folder))
        if not chosen:
            return
        try:
            written = self.export_charts(chosen)
        except Exception as exc:  # noqa: BLE001 - a full disk, a read-only folder: shown
            present_error(self, "Could not export the charts", exc)
            return
        settings.app_settings().setValue("export/folder", chosen)
        self.session.status_message.emit(f"{len(written)} charts written to {chosen}")

    def export_table(self, path: str | Path, fmt: str | None = None) -> Path:
        """Write the table on screen as csv, md or json (format from the suffix by default)."""
        if self._report is None:
            raise ConfigError("there is no valid architecture to export yet")
        path = Path(path)
        fmt = (fmt or path.suffix.lstrip(".")).lower()
        if fmt == "markdown":
            fmt = "md"
        if fmt not in EXPORT_FORMATS:
            raise ConfigError(f"export format must be csv, md or json; received {fmt!r}")
        if not path.suffix:
            path = path.with_suffix(f".{fmt}")
        shape, classes, options = self._valid_config
        batch = self.totals.batch_size()
        title = f"{self._entry.title} [{self._entry.key}]: input {shape_text(shape)}"
        if fmt == "csv":
            text = render.render_csv(self._report)
        elif fmt == "md":
            text = render.render_markdown(self._report, title=title, batch_size=batch)
        else:
            data = report_to_dict(self._report, architecture=self._entry.key, classes=classes,
                                  batch_size=batch)
            data["options"] = options
            text = json.dumps(data, indent=2) + "\n"
        atomic_write_bytes(path, text.encode("utf-8"))
        log.info("exported %s table to %s", fmt, path)
        return path

    def export_charts(self, folder: str | Path) -> list[Path]:
        return self.charts.export_png(folder, self._stem())
