"""Evaluation view: test loss and accuracy, confusion-matrix heatmap, per-class precision and
recall, and a gallery of misclassified test images (click one to look inside it in the Happy
door). It only shows a `core.train.evaluation.EvaluationResult`; the Training panel computes it in a
worker thread.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QBrush, QColor, QIcon, QImage, QPixmap
from PySide6.QtWidgets import (QAbstractItemView, QHeaderView, QLabel, QListWidget,
                               QListWidgetItem, QSplitter, QTableWidget, QTableWidgetItem,
                               QVBoxLayout, QWidget)

from cnnexplorer.core.train.evaluation import FULL_MATRIX_CLASSES
from cnnexplorer.gui.session import DoorImage
from cnnexplorer.gui.training.test_time_view import TestTimeBox

THUMB = 72


def array_to_pixmap(image: np.ndarray, size: int = THUMB) -> QPixmap:
    """uint8 (H, W, C) with C in 1/3/4 -> a QPixmap scaled to `size` (nearest: pixels stay
    visible on 64x64 images)."""
    img = np.ascontiguousarray(image)
    h, w = img.shape[:2]
    c = 1 if img.ndim == 2 else img.shape[2]
    if c == 1:
        qimg = QImage(img.data, w, h, w, QImage.Format.Format_Grayscale8)
    elif c == 3:
        qimg = QImage(img.data, w, h, 3 * w, QImage.Format.Format_RGB888)
    else:
        qimg = QImage(img.data, w, h, 4 * w, QImage.Format.Format_RGBA8888)
    pix = QPixmap.fromImage(qimg.copy())  # copy: the numpy buffer may go away
    return pix.scaled(size, size, Qt.AspectRatioMode.KeepAspectRatio,
                      Qt.TransformationMode.FastTransformation)


def _heat(value: float) -> QColor:
    """White (0) to a strong blue (1)."""
    v = float(np.clip(value, 0, 1))
    return QColor(int(255 - 225 * v), int(255 - 165 * v), int(255 - 75 * v))


def _titled(title: QLabel, body: QWidget) -> QWidget:
    box = QWidget()
    v = QVBoxLayout(box)
    v.setContentsMargins(0, 0, 0, 0)
    v.addWidget(title)
    v.addWidget(body, 1)
    return box


class EvaluationView(QWidget):
    def __init__(self, session, parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
        self.result = None
        self._images = None
        self._model: tuple[str | None, str] = (None, "")
        self.tricks = TestTimeBox()
        self.summary = QLabel("Evaluate a run to see how its best model does on the test set.")
        self.summary.setWordWrap(True)
        self.confusion = QTableWidget()
        self.confusion.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.confusion.setToolTip("Rows: true class; columns: predicted class. Colour: share "
                                  "of the row (the recall of each cell)")
        self.per_class = QTableWidget(0, 4)
        self.per_class.setHorizontalHeaderLabels(["class", "precision", "recall", "support"])
        self.per_class.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        # columns as wide as their contents, never elided to "…" (issue 17); the class
        # column takes what is left
        header = self.per_class.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.per_class.setWordWrap(False)
        self.confusion.setWordWrap(False)
        self.gallery = QListWidget()
        self.gallery.setViewMode(QListWidget.ViewMode.IconMode)
        self.gallery.setIconSize(QSize(THUMB, THUMB))
        self.gallery.setResizeMode(QListWidget.ResizeMode.Adjust)
        self.gallery.setGridSize(QSize(THUMB + 56, THUMB + 44))
        self.gallery.setWordWrap(True)
        self.gallery.setToolTip("Misclassified test images, most confident mistakes first; "
                                "click one to look inside it in the Happy door panel")
        self.gallery.itemClicked.connect(self._on_gallery_item_clicked)

        self.confusion_title = QLabel("<b>Confusion matrix</b>")
        self.per_class_title = QLabel("<b>Per class</b>")
        self.gallery_title = QLabel("<b>Misclassified</b>")
        self.gallery_title.setWordWrap(True)
        # Wide: the tables stacked on the left, the gallery on the right. Narrow (the Training
        # panel at 1024 px): the tables side by side above the gallery, so no pane is squeezed
        # until its headers run together and its cells read "…" (issue 17).
        self.tables = QSplitter(Qt.Orientation.Vertical)
        self.tables.setChildrenCollapsible(False)
        for title, table in ((self.confusion_title, self.confusion),
                             (self.per_class_title, self.per_class)):
            self.tables.addWidget(_titled(title, table))
        self.split = QSplitter(Qt.Orientation.Horizontal)
        self.split.setChildrenCollapsible(False)
        self.split.addWidget(self.tables)
        self.split.addWidget(_titled(self.gallery_title, self.gallery))
        layout = QVBoxLayout(self)
        layout.addWidget(self.tricks)
        layout.addWidget(self.summary)
        layout.addWidget(self.split, 1)
        self._arrange(self.width())

    #: below this width the gallery goes under the tables
    WIDE = 900

    def _arrange(self, width: int) -> None:
        wide = width >= self.WIDE
        outer = Qt.Orientation.Horizontal if wide else Qt.Orientation.Vertical
        if self.split.orientation() == outer and self.split.property("arranged"):
            return
        self.split.setProperty("arranged", True)
        self.split.setOrientation(outer)
        self.tables.setOrientation(Qt.Orientation.Vertical if wide else
                                   Qt.Orientation.Horizontal)
        self.split.setSizes([450, 550] if wide else [300, 200])
        self.tables.setSizes([300, 200] if wide else [500, 400])

    def _fit_tables(self) -> None:
        """Side by side, give the confusion matrix the width its columns need (when there is
        room), the per-class table the rest."""
        if self.tables.orientation() != Qt.Orientation.Horizontal:
            return
        cm = self.confusion
        need = (cm.verticalHeader().sizeHint().width() + 2 * cm.frameWidth() + 4 +
                sum(cm.columnWidth(j) for j in range(cm.columnCount())))
        total = sum(self.tables.sizes())
        self.tables.setSizes([need, max(1, total - need)])

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt override)
        super().resizeEvent(event)
        self._arrange(event.size().width())

    def _show_matrix(self, result) -> None:
        cm, k = result.confusion_matrix, len(result.class_names)
        self.confusion_title.setText("<b>Confusion matrix</b>")
        self.confusion_title.setToolTip("")
        self.confusion.setRowCount(k)
        self.confusion.setColumnCount(k)
        self.confusion.setHorizontalHeaderLabels([f"→{c}" for c in result.class_names])
        self.confusion.setVerticalHeaderLabels(list(result.class_names))
        rows = cm.sum(axis=1, keepdims=True).clip(min=1)
        for i in range(k):
            for j in range(k):
                item = QTableWidgetItem(str(int(cm[i, j])))
                item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                share = cm[i, j] / rows[i, 0]
                item.setBackground(QBrush(_heat(share)))
                item.setForeground(QBrush(QColor("white" if share > 0.6 else "black")))
                self.confusion.setItem(i, j, item)
        self.confusion.resizeColumnsToContents()

    def _show_top_confusions(self, result) -> None:
        """Over FULL_MATRIX_CLASSES classes the result keeps no matrix: list the most
        frequent confusions instead (true class, predicted class, images)."""
        top = result.top_confusions()
        self.confusion_title.setText(f"<b>Most frequent confusions</b> ({len(top)} of "
                                     f"{len(result.confusions):,})")
        self.confusion_title.setToolTip(f"{len(result.class_names):,} classes: the full "
                                        f"confusion matrix is shown up to "
                                        f"{FULL_MATRIX_CLASSES} classes")
        self.confusion.setRowCount(len(top))
        self.confusion.setColumnCount(3)
        self.confusion.setHorizontalHeaderLabels(["true", "predicted", "images"])
        self.confusion.setVerticalHeaderLabels([str(i + 1) for i in range(len(top))])
        for i, row in enumerate(top):
            for j, value in enumerate((row["true"], row["predicted"], str(row["count"]))):
                self.confusion.setItem(i, j, QTableWidgetItem(value))
        self.confusion.resizeColumnsToContents()

    def show_result(self, result, images: np.ndarray | None, title: str = "",
                    model_path: str | None = None, model_name: str = "") -> None:
        """Display an EvaluationResult; `images` are the evaluated uint8 images (gallery);
        `model_path` is the evaluated model, which the door uses for a clicked image."""
        self.result, self._images = result, images
        self._model = (str(model_path) if model_path else None, model_name)
        k = len(result.class_names)
        n = result.images
        self.summary.setText(f"{title}<br>{result.split} split: {n} images, loss "
                             f"<b>{result.loss:.4f}</b>, {result.split} accuracy "
                             f"<b>{result.accuracy:.1%}</b>, {len(result.misclassified)} "
                             f"misclassified")
        if result.confusion_matrix is None:
            self._show_top_confusions(result)
        else:
            self._show_matrix(result)
        self.per_class.setRowCount(k)
        for i, row in enumerate(result.per_class()):
            for j, value in enumerate((row["class"], f"{row['precision']:.3f}",
                                       f"{row['recall']:.3f}", str(row["support"]))):
                self.per_class.setItem(i, j, QTableWidgetItem(value))
        self._fit_tables()
        self.gallery.clear()
        binary = len(result.class_names) == 2
        self.gallery_title.setText(
            f"<b>Misclassified</b> ({len(result.misclassified)}; " +
            ("click one: the Happy door judges it with this model)" if binary else
             "the Happy door takes two-class models only)"))
        if images is None:
            return
        for m in result.misclassified[:120]:
            item = QListWidgetItem(QIcon(array_to_pixmap(images[m.index])),
                                   f"{result.class_names[m.true]} → "
                                   f"{result.class_names[m.predicted]}\n{m.probability:.0%}")
            item.setData(Qt.ItemDataRole.UserRole, int(m.index))
            item.setToolTip(f"true: {result.class_names[m.true]} "
                            f"(p={m.true_probability:.3f})\npredicted: "
                            f"{result.class_names[m.predicted]} (p={m.probability:.3f})")
            self.gallery.addItem(item)

    def show_comparison(self, comparison, images, title: str = "") -> None:
        """A test-time comparison: its table, and the best row's result in the views below."""
        self.tricks.show_comparison(comparison)
        best = comparison.best()
        self.show_result(best.result, images, f"{title}: {best.label}")

    def _on_gallery_item_clicked(self, item: QListWidgetItem) -> None:
        if self._images is None:
            return
        if self.result is None or len(self.result.class_names) != 2:
            return  # the door judges happy / not happy: a k-class model cannot open it
        index = item.data(Qt.ItemDataRole.UserRole)
        path, name = self._model
        self.session.open_in_door.emit(DoorImage(np.array(self._images[int(index)]), path,
                                                 name))
