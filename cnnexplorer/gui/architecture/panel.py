"""The Architecture panel: pick a zoo entry, reshape it, see where params and MACs go.

Left: the searchable zoo (grouped by family) with the entry's description and its controls.
Right: "Layers and costs" (the layer tree, the totals, the charts) and the "1x1 bottleneck"
comparison. Every change recomputes with the core (`ZooEntry.network` + `cost_report`, a few
ms for ResNet-50) and redraws at once; a `ConfigError` is shown next to the controls and the
last valid view stays. The valid choice goes to `Session.set_architecture` for Training.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QModelIndex, Qt, QTimer, Signal
from PySide6.QtWidgets import (QFrame, QLabel, QScrollArea, QSplitter, QTextBrowser,
                               QVBoxLayout, QWidget)

from cnnexplorer.core.arch import zoo
from cnnexplorer.core.arch.cost import CostReport, cost_report
from cnnexplorer.core.arch.working import layer_working
from cnnexplorer.core.errors import ConfigError
from cnnexplorer.gui import settings
from cnnexplorer.gui.errors import present_error
from cnnexplorer.gui.session import ArchitectureChoice, Session
from cnnexplorer.gui.architecture.layer_table import LAYER_NAME_ROLE
from cnnexplorer.gui.architecture.working_view import WorkingView
from cnnexplorer.gui.architecture.table_box import LayerTableBox
from cnnexplorer.gui.architecture.config_form import ConfigForm
from cnnexplorer.gui.architecture.export import EXPORT_FORMATS, ExportMixin  # noqa: F401 (re-exported)
from cnnexplorer.gui.architecture.totals import TotalsView
from cnnexplorer.gui.architecture.diagram_toolbar import DiagramPane
from cnnexplorer.gui.architecture.diagram_view import DiagramView
from cnnexplorer.gui.architecture.view_tabs import PendingSlot, ViewTabs
from cnnexplorer.gui.architecture.zoo_browser import ZooBrowser
from cnnexplorer.gui.model_open import ModelFileOpener
from cnnexplorer.core.formatting import shape_text
from cnnexplorer.gui.workers import Worker

log = logging.getLogger(__name__)

DEFAULT_ENTRY = "happymodel"


def compute(entry: zoo.ZooEntry, shape, classes, options) -> tuple:
    """(network, cost report) of one configuration: the core's work, nothing else."""
    network = entry.network(shape, classes, options)
    return network, cost_report(network)


class ArchitecturePanel(ExportMixin, QWidget):
    """See the module docstring. `report()` is the cost report on screen (the last valid).

    The charts and the bottleneck comparison (pyqtgraph, 0.7 s to import) are built by
    `finish_setup()`: the main window calls it right after its first paint, and `charts` or
    `bottleneck` build them on first use, so the window shows the table without waiting.
    """

    recomputed = Signal(object)  # CostReport, after the view is redrawn

    def __init__(self, session: Session, parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
        self._report: CostReport | None = None
        self._entry: zoo.ZooEntry | None = None
        self._valid_config: tuple | None = None  # (shape, classes, options) on screen
        self._generation = 0  # bumped per request; a worker's late result is dropped
        self._pending_config: tuple | None = None
        self._save_timer = QTimer(self)
        self._save_timer.setSingleShot(True)
        self._save_timer.setInterval(800)
        self._save_timer.timeout.connect(self._on_save_timer_timeout)
        self._workers: set = set()

        # -- left: zoo list, description, controls ------------------------------------------
        self.zoo_browser = ZooBrowser()
        self.zoo_browser.entry_chosen.connect(self._on_entry_chosen)
        self.search, self.zoo_list = self.zoo_browser.search, self.zoo_browser.tree
        self.title = QLabel()
        self.title.setWordWrap(True)
        # a text view, not a QLabel: a wrapped label's height estimate clips or overlaps in a
        # splitter, and a long description should scroll rather than push the controls away
        self.description = QTextBrowser()
        self.description.setFrameShape(QFrame.Shape.NoFrame)
        self.description.viewport().setAutoFillBackground(False)  # the window's colour
        self.description.document().setDocumentMargin(0)
        # a fixed height: the controls below stay where they are whatever the description,
        # and when an error appears under them (issue 13: they jumped ~35 px)
        self.description.setFixedHeight(self.description.fontMetrics().lineSpacing() * 9 + 4)
        self.form = ConfigForm()
        self.form.changed.connect(self._on_form_changed)
        self.busy = QLabel()
        self.busy.setWordWrap(True)
        self.busy.hide()
        left_inner = QWidget()
        left_layout = QVBoxLayout(left_inner)
        left_layout.addWidget(self.title)
        left_layout.addWidget(self.description)
        left_layout.addWidget(self.form)
        left_layout.addWidget(self.busy)
        left_layout.addStretch(1)
        left_split = QSplitter(Qt.Orientation.Vertical)
        left_split.addWidget(self.zoo_browser)
        details = QScrollArea()  # many options scroll rather than overlap
        details.setWidgetResizable(True)
        details.setFrameShape(QFrame.Shape.NoFrame)
        details.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        # always there: a scroll bar that came with an error message narrowed the column, the
        # form's long rows wrapped and the controls jumped (issue 13)
        details.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOn)
        details.setWidget(left_inner)
        self._details = details
        left_split.addWidget(details)
        left_split.setSizes([300, 500])

        # -- right: table + totals + charts; bottleneck comparison ------------------------------
        self.export_actions = self._make_export_actions()
        table_box = LayerTableBox(self.export_actions)
        self.table_box = table_box
        self.table_model, self.proxy, self.table = table_box.table_model, table_box.proxy, \
            table_box.table
        self.grouped, self.summary, self.export_button = table_box.grouped, table_box.summary, \
            table_box.export_button
        self.table.selectionModel().currentRowChanged.connect(self._on_table_current_changed)
        self.grouped.toggled.connect(self._on_grouped_toggled)
        self.totals = TotalsView()
        self.totals.set_batch_size(settings.read_int("architecture/batch", 32))
        self.totals.batch_changed.connect(self._on_totals_batch_changed)
        self.working = WorkingView()  # the selected layer's formulas, filled in
        table_and_working = QSplitter(Qt.Orientation.Vertical)
        table_and_working.addWidget(table_box)
        table_and_working.addWidget(self.working)
        table_and_working.setStretchFactor(0, 4)
        table_and_working.setStretchFactor(1, 1)
        table_and_working.setSizes([480, 150])
        top = QSplitter(Qt.Orientation.Horizontal)
        top.addWidget(table_and_working)
        totals_scroll = QScrollArea()  # a short window scrolls the totals, never squeezes them
        totals_scroll.setWidgetResizable(True)
        totals_scroll.setFrameShape(QFrame.Shape.NoFrame)
        totals_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        totals_scroll.setWidget(self.totals)
        totals_scroll.setMinimumWidth(self.totals.minimumSizeHint().width() + 16)
        top.addWidget(totals_scroll)
        top.setStretchFactor(0, 1)
        top.setStretchFactor(1, 0)
        top.setSizes([920, 340])
        self._charts = None  # built by finish_setup()
        self._bottleneck = None
        self._charts_slot = PendingSlot("Drawing the charts...")
        self._bottleneck_slot = PendingSlot("Preparing the comparison...")
        self._compare = None
        self._compare_slot = PendingSlot("Preparing the case studies...")
        costs = QSplitter(Qt.Orientation.Vertical)
        costs.addWidget(top)
        costs.addWidget(self._charts_slot)
        costs.setStretchFactor(0, 3)
        costs.setStretchFactor(1, 2)
        self.views = ViewTabs()
        self.views.addTab(costs, "Layers and costs")
        self.diagram = DiagramView()  # block diagram; selection linked with table and charts
        self.diagram.layer_selected.connect(self.select_layer)
        self.diagram_pane = DiagramPane(self.diagram)  # the view under its toolbar
        self.views.addTab(self.diagram_pane, "Diagram")
        self.model_files = ModelFileOpener(self, session)  # File > Open model, drag and drop
        self.views.addTab(self._bottleneck_slot, "1x1 bottleneck comparison")
        self.views.addTab(self._compare_slot, "Case studies")
        self.views.setCurrentIndex(settings.read_int("architecture/view", 0))

        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(left_split)
        split.addWidget(self.views)
        split.setStretchFactor(0, 0)
        split.setStretchFactor(1, 1)
        split.setSizes([330, 1270])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(split)

        last = settings.app_settings().value("architecture/entry", DEFAULT_ENTRY)
        if not self.select_entry(str(last)):
            self.select_entry(DEFAULT_ENTRY)

    # -- deferred views ----------------------------------------------------------------------
    def finish_setup(self) -> None:
        """Build the charts and the bottleneck comparison (once) and show the current report."""
        if self._charts is not None:
            return
        import pyqtgraph as pg

        # pyqtgraph-based views: loaded after the window's first paint (measured, issue 13)
        from cnnexplorer.gui.architecture.bottleneck import BottleneckView
        from cnnexplorer.gui.architecture.compare_view import CompareView
        from cnnexplorer.gui.architecture.cost_charts import CostCharts

        pg.setConfigOptions(antialias=True)
        charts = CostCharts()
        charts.set_log_scale(settings.read_bool("architecture/log_scale", False))
        charts.log_scale.toggled.connect(self._on_log_scale_toggled)
        charts.layer_clicked.connect(self._on_charts_layer_clicked)
        self._charts, self._bottleneck = charts, BottleneckView()
        self._charts_slot.fill(charts)
        self._bottleneck_slot.fill(self._bottleneck)
        self._compare = CompareView(self.totals.batch_size())
        self._compare_slot.fill(self._compare)
        if self._report is not None:
            charts.set_report(self._report)
            charts.highlight(self.selected_layer())

    @property
    def charts(self):
        """The cost charts (`CostCharts`), built now if `finish_setup` has not run yet."""
        self.finish_setup()
        return self._charts

    @property
    def compare(self):
        """The case studies side by side (`CompareView`), built on first use."""
        self.finish_setup()
        return self._compare

    @property
    def bottleneck(self):
        """The 1x1 bottleneck comparison (`BottleneckView`), built on first use."""
        self.finish_setup()
        return self._bottleneck

    # -- zoo list ---------------------------------------------------------------------------------
    def _entry_items(self):
        return self.zoo_browser.entry_items()

    def select_entry(self, key: str) -> bool:
        """Select a zoo entry by key or alias; False when there is no such entry."""
        return self.zoo_browser.select(key)

    def _on_entry_chosen(self, key: str) -> None:
        self._on_save_timer_timeout()  # the previous entry's last configuration
        entry = zoo.get(key)
        self._entry = entry
        self.title.setText(f"<b>{entry.title}</b> <small>[{entry.key}]</small>")
        self.description.setPlainText(entry.description)
        saved = settings.read_json(f"architecture/config/{entry.key}", None)
        restored = False
        if isinstance(saved, dict):
            try:
                self.form.set_entry(entry, saved.get("input_shape"), saved.get("classes"),
                                    saved.get("options"))
                restored = self.recompute(expand_default=True)
            except (TypeError, ValueError, KeyError):
                restored = False
        if not restored:
            self.form.set_entry(entry)
            self.recompute(expand_default=True)
        settings.app_settings().setValue("architecture/entry", entry.key)
        self._fit_details_width()

    def _fit_details_width(self) -> None:
        """The zoo column at least as wide as the entry's controls: they never clip (no
        sideways scrolling there), however many options the entry has."""
        inner = self._details.widget()
        bar = self._details.verticalScrollBar().sizeHint().width()
        self._details.setMinimumWidth(inner.minimumSizeHint().width() + bar)

    # -- recompute ---------------------------------------------------------------------------
    def _on_form_changed(self) -> None:
        self.recompute()

    def recompute(self, expand_default: bool = False) -> bool:
        """Rebuild from the controls; False (view kept, message shown) when invalid.

        Entries imported from keras.applications build a real Keras model (seconds) unless a
        shipped spec covers the configuration: those run in a worker, the newest request
        wins, and True only means "started".
        """
        entry = self._entry
        if entry is None:
            return False
        shape, classes, options = self.form.values()
        self._generation += 1
        if entry.needs_keras(shape, classes, options):  # a shipped spec loads in milliseconds
            self._start_worker(entry, (shape, classes, options), expand_default)
            return True
        self.busy.hide()
        try:
            network, report = compute(entry, shape, classes, options)
        except ConfigError as exc:
            self.form.show_error(str(exc))
            return False
        except Exception as exc:  # noqa: BLE001 - a bug in a zoo entry: report it, keep the last view
            present_error(self, f"Could not build {entry.title}", exc)
            return False
        self._accept(entry, (shape, classes, options), network, report, expand_default)
        return True

    def _start_worker(self, entry, config: tuple, expand_default: bool) -> None:
        generation = self._generation
        self.busy.setText(f"Building {entry.title} with Keras (the first time takes a few "
                          f"seconds)...")
        self.busy.show()
        worker = Worker.call(compute, entry, *config, name=f"build {entry.title}",
                             on_error=lambda exc: self._on_worker_errored(generation, entry,
                                                                          exc))
        worker.returned.connect(lambda result: self._on_worker_returned(
            generation, entry, config, result, expand_default))
        worker.finished.connect(self._on_worker_finished)
        self._workers.add(worker)
        worker.start()

    def _on_worker_finished(self) -> None:
        self._workers = {w for w in self._workers if not w.is_finished()}

    def _on_worker_returned(self, generation, entry, config, result, expand_default) -> None:
        if generation != self._generation:
            return  # the user changed something since: a newer result is on its way
        self.busy.hide()
        self._accept(entry, config, *result, expand_default)

    def _on_worker_errored(self, generation, entry, exc: BaseException) -> None:
        if generation != self._generation:
            return
        self.busy.hide()
        if isinstance(exc, ConfigError):
            self.form.show_error(str(exc))
        else:
            present_error(self, f"Could not build {entry.title}", exc)

    def busy_workers(self) -> int:
        return len(self._workers)

    def _accept(self, entry, config: tuple, network, report: CostReport,
                expand_default: bool) -> None:
        shape, classes, options = config
        self.form.clear_error()
        self._show_report(report, expand_default)
        self._valid_config = config
        # written after a pause: an INI sync costs more than the whole recompute
        self._pending_config = (entry.key, {"input_shape": list(shape), "classes": classes,
                                            "options": options})
        self._save_timer.start()
        self.session.set_architecture(ArchitectureChoice(entry.key, shape, classes,
                                                         dict(options), network))
        self.recomputed.emit(report)

    def _show_report(self, report: CostReport, expand_default: bool) -> None:
        selected = self.selected_layer()
        self._report = report
        if self.table_box.show_report(report, expand_default):
            selected = None  # in place: the current row, expansion and scroll position stay
        self.totals.set_report(report)
        charts = self._charts  # None until finish_setup(), which then draws this report
        if charts is not None:
            charts.set_report(report)  # keeps the highlighted layer
        self.diagram.set_network(report.network, self._entry.title if self._entry else None)
        if selected is None:  # in place: the current row may have been renamed (fc1000)
            current = self.selected_layer()
            if charts is None or current != charts.macs.selected:
                if charts is not None:
                    charts.highlight(current)
                self.diagram.select_layer(current)
        t = report.totals
        self.summary.set_full_text(
            f"{report.network.name}: {len(report.rows)} layers, "
            f"input {shape_text(report.network.input_shape, spaced=True)}, "
            f"output {shape_text(report.network.output_shapes[0], spaced=True)}, "
            f"{t.params:,} params")
        if selected and selected in report.network:
            self.select_layer(selected)
        elif not self.table.currentIndex().isValid() and charts is not None:
            charts.highlight(None)
        self.show_working(self.selected_layer())  # its numbers under the new configuration

    def show_opened_model(self, entry, network, report: CostReport) -> None:
        """Show an opened model file (see model_open.py) the way a zoo entry is shown."""
        self._generation += 1  # a zoo entry still building in a worker must not replace it
        self._entry = entry
        self.zoo_browser.clear_selection()
        self.title.setText(f"<b>{entry.title}</b> <small>[{entry.family}]</small>")
        self.description.setPlainText(entry.description)
        self.form.set_entry(entry)
        self._accept(entry, (entry.default_input, entry.default_classes, {}), network, report,
                     True)

    # -- selection between table and charts ----------------------------------------------------
    def selected_layer(self) -> str | None:
        return self.table_box.selected_layer()

    def select_layer(self, name: str) -> bool:
        return self.table_box.select_layer(name)

    def _on_table_current_changed(self, current: QModelIndex, _previous) -> None:
        name = current.data(LAYER_NAME_ROLE) or None
        if self._charts is not None:
            self._charts.highlight(name)
        self.diagram.select_layer(name)
        self.show_working(name)

    def show_working(self, name: str | None) -> None:
        """The working of layer `name` under the table (the hint for a block row or none)."""
        report = self._report
        if name is None or report is None or name not in report.network:
            self.working.show_working(None)
            return
        self.working.show_working(layer_working(report.network, name, report))

    def _on_charts_layer_clicked(self, name: str) -> None:
        self.select_layer(name)

    def _on_grouped_toggled(self, grouped: bool) -> None:
        if self._report is not None:
            self._show_report(self._report, expand_default=True)

    def _on_log_scale_toggled(self, on: bool) -> None:
        settings.app_settings().setValue("architecture/log_scale", on)

    def _on_totals_batch_changed(self, value: int) -> None:
        settings.app_settings().setValue("architecture/batch", value)
        if self._compare is not None:
            self._compare.set_batch_size(value)

    # -- state -----------------------------------------------------------------------------
    def report(self) -> CostReport | None:
        return self._report

    def entry(self) -> zoo.ZooEntry | None:
        return self._entry

    def save_state(self) -> None:
        self._on_save_timer_timeout()
        settings.app_settings().setValue("architecture/view", self.views.currentIndex())

    def _on_save_timer_timeout(self) -> None:
        self._save_timer.stop()
        if self._pending_config is not None:
            key, config = self._pending_config
            self._pending_config = None
            settings.write_json(f"architecture/config/{key}", config)
