"""The totals beside the layer table: params, MACs, FLOPs, memory, training memory at a batch.

Every figure comes from the core's `Totals` / `CostReport.training_memory`; the view formats.
The MAC note (`cost.MAC_NOTE`) stays visible, because MACs vs FLOPs is the most common
confusion in neighbouring tools.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFormLayout, QGroupBox, QLabel, QSpinBox, QVBoxLayout, QWidget

from cnnexplorer.core.arch.cost import MAC_NOTE, CostReport
from cnnexplorer.core.formatting import readable_bytes, readable_count


def _value_label(wrap: bool = False) -> QLabel:
    label = QLabel()
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.setWordWrap(wrap)  # numbers stay on one line; only the long breakdown wraps
    return label


class TotalsView(QGroupBox):
    """Totals of one report; `batch_changed` fires when the batch-size spin box moves."""

    batch_changed = Signal(int)

    def __init__(self, parent: QWidget | None = None):
        super().__init__("Totals", parent)
        self._report: CostReport | None = None
        self.params = _value_label()
        self.params_split = _value_label()
        self.macs = _value_label()
        self.flops = _value_label()
        self.weights = _value_label()
        self.activations = _value_label()
        self.batch = QSpinBox()
        self.batch.setRange(1, 65536)
        self.batch.setValue(32)
        self.batch.setKeyboardTracking(False)
        self.batch.setToolTip("batch size for the training-memory estimate")
        self.batch.valueChanged.connect(self._on_batch_value_changed)
        self.training = _value_label()
        self.training_split = _value_label(wrap=True)
        self.note = QLabel(MAC_NOTE)
        self.note.setWordWrap(True)
        self.note.setObjectName("mac_note")
        small = self.note.font()
        small.setPointSizeF(max(7.0, small.pointSizeF() * 0.9))
        self.note.setFont(small)
        self.training_split.setFont(small)
        self.params_split.setFont(small)
        form = QFormLayout()
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)  # narrow: value below
        form.addRow("<b>Parameters</b>", self.params)
        form.addRow("", self.params_split)
        form.addRow("<b>MACs</b> per image", self.macs)
        form.addRow("<b>FLOPs</b> = 2 x MACs", self.flops)
        form.addRow("<b>Weights</b> (float32)", self.weights)
        form.addRow("<b>Activations</b> / image", self.activations)
        form.addRow("Training batch size", self.batch)
        form.addRow("<b>Training memory</b>", self.training)
        form.addRow("", self.training_split)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.note)
        layout.addStretch(1)

    def set_report(self, report: CostReport) -> None:
        self._report = report
        t = report.totals
        ge = ">= " if t.macs_lower_bound else ""
        self.params.setText(f"<b>{t.params:,}</b> ({readable_count(t.params)})")
        self.params.setToolTip("trainable + non-trainable (BatchNorm moving statistics), "
                               "counted the way Keras counts them")
        self.params_split.setText(f"trainable {t.trainable_params:,}<br>"
                                  f"non-trainable {t.non_trainable_params:,}")
        self.macs.setText(f"<b>{ge}{t.macs:,}</b> ({readable_count(t.macs)})")
        self.flops.setText(f"{ge}{t.flops:,} ({readable_count(t.flops)})")
        self.weights.setText(readable_bytes(t.weight_bytes))
        self.activations.setText(readable_bytes(t.activation_bytes))
        self._update_training()

    def batch_size(self) -> int:
        return self.batch.value()

    def set_batch_size(self, value: int) -> None:
        self.batch.setValue(value)

    def _update_training(self) -> None:
        if self._report is None:
            return
        m = self._report.training_memory(self.batch.value())
        self.training.setText(f"<b>about {readable_bytes(m.total)}</b> (Adam)")
        self.training_split.setText(
            f"weights {readable_bytes(m.weights)} + gradients {readable_bytes(m.gradients)}"
            f"<br>+ Adam state {readable_bytes(m.optimizer_state)} + activations "
            f"{readable_bytes(m.activations)}")

    def _on_batch_value_changed(self, value: int) -> None:
        self._update_training()
        self.batch_changed.emit(value)
