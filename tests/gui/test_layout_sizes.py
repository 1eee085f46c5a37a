"""Layout at the sizes a student's screen has (issue 13, defect 3): nothing off-screen at
1440x900, no sideways scrolling of any panel at 1024x700, controls that stay put."""

import pytest
from PySide6.QtCore import QCoreApplication, QEvent
from PySide6.QtWidgets import QScrollArea

from cnnexplorer.gui.architecture.layer_table import NUMERIC, SHAPE
from cnnexplorer.gui.main_window import MainWindow


@pytest.fixture(scope="module")
def window(qapp, tmp_path_factory):
    """One window with all four real panels for the module: the Happy door starts worker
    threads, and building and closing it per test only multiplies those. Its settings are
    its own: a module fixture is built before the per-test home, and a user's saved state
    (the Diagram tab last open) hid the layer table these tests measure."""
    home = pytest.MonkeyPatch()
    home.setenv("CNNEXPLORER_HOME", str(tmp_path_factory.mktemp("layout_home")))
    w = MainWindow()
    w.show()
    yield w
    w.close()
    w.deleteLater()
    home.undo()


def _flush_layouts():
    """Run the posted layout requests now (no waiting on a clock for them)."""
    QCoreApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)
    QCoreApplication.processEvents()


def _settle(qtbot, window, width, height):
    window.resize(width, height)
    qtbot.waitUntil(lambda: window.width() == width and window.height() == height, timeout=5000)
    _flush_layouts()


@pytest.mark.parametrize("title", ["Architecture", "Data", "Training", "Happy door"])
def test_no_panel_scrolls_sideways_at_1024x700(window, qtbot, title):
    window.panels["Architecture"].select_entry("googlenet")  # the entry with most options
    _settle(qtbot, window, 1024, 700)
    window.show_panel(title)
    page = window._pages[title]
    assert isinstance(page, QScrollArea)
    assert page.widget().minimumSizeHint().width() <= page.viewport().width(), title
    # the scroll bar follows the next layout pass
    qtbot.waitUntil(lambda: not page.horizontalScrollBar().isVisible(), timeout=5000)
    assert page.widget().width() <= page.viewport().width()


def test_every_table_column_is_on_screen_at_1440x900(window, qtbot):
    arch = window.panels["Architecture"]
    window.show_panel("Architecture")
    _settle(qtbot, window, 1440, 900)
    arch.select_entry("googlenet")
    header = arch.table.header()
    last = header.count() - 1  # Activations
    qtbot.waitUntil(lambda: header.sectionViewportPosition(last) + header.sectionSize(last)
                    <= arch.table.viewport().width(), timeout=5000)
    assert not arch.table.horizontalScrollBar().isVisible()
    for col in sorted(NUMERIC):  # the numbers: never cut ("% of MACs", ...)
        assert header.sectionSize(col) >= header.sectionSizeHint(col), col
    shape = arch.table.fontMetrics().horizontalAdvance("224 x 224 x 1024")
    assert header.sectionSize(SHAPE) >= shape


def test_googlenets_options_fit_the_zoo_column(window, qtbot):
    arch = window.panels["Architecture"]
    window.show_panel("Architecture")
    _settle(qtbot, window, 1440, 900)
    arch.select_entry("googlenet")
    form = arch.form
    details = arch._details
    qtbot.waitUntil(lambda: form.width() <= details.viewport().width(), timeout=5000)
    right = form.mapTo(details.viewport(), form.rect().topRight()).x()
    assert right <= details.viewport().width()


def test_controls_stay_put_when_an_error_appears_and_clears(window, qtbot):
    arch = window.panels["Architecture"]
    window.show_panel("Architecture")
    _settle(qtbot, window, 1024, 700)
    arch.select_entry("googlenet")
    box = arch.form.classes_box

    def y():
        return box.mapTo(arch, box.rect().topLeft()).y()
    before = y()
    arch.form.show_error("input 16x16x3 is too small: layer 'pool2' would output 0x0x192")
    _flush_layouts()
    assert arch.form.error_text()
    assert y() == before
    arch.form.clear_error()
    _flush_layouts()
    assert y() == before


def test_the_batch_box_and_the_summary_keep_their_size_at_1024x700(window, qtbot):
    arch = window.panels["Architecture"]
    window.show_panel("Architecture")
    _settle(qtbot, window, 1024, 700)
    arch.select_entry("googlenet")
    batch = arch.totals.batch
    qtbot.waitUntil(lambda: batch.height() >= batch.minimumSizeHint().height(), timeout=5000)
    summary = arch.summary
    assert summary.height() <= 2 * summary.fontMetrics().height()  # one line, not five
    assert summary.full_text().startswith("GoogLeNet: ")


@pytest.mark.parametrize("k", [2, 6])
def test_training_evaluation_fits_at_1024x700(window, qtbot, k):
    """Issue 17: at 1024x700 the Evaluation tab's headers ran together, its confusion-matrix
    and per-class cells read "…", and the saved runs with Evaluate fell below the fold."""
    import numpy as np

    from cnnexplorer.core.train.evaluation import metrics_from_probabilities

    _settle(qtbot, window, 1024, 700)
    window.show_panel("Training")
    panel = window.panels["Training"]
    rng = np.random.default_rng(k)
    y = rng.integers(0, k, 150)
    probs = rng.dirichlet(np.ones(k), 150)
    names = ["not happy", "happy"] if k == 2 else [f"sign {i}" for i in range(k)]
    view = panel.evaluation
    view.show_result(metrics_from_probabilities(probs, y, names), None,
                     "<b>a run</b>, the best model: epoch 4 of 10 (lowest validation loss)")
    panel.tabs.setCurrentWidget(view)
    _flush_layouts()
    qtbot.waitUntil(lambda: view.per_class.isVisible(), timeout=5000)

    def whole(widget):
        return widget.visibleRegion().boundingRect().size() == widget.size()

    # the run actions and at least a few runs are on screen, without scrolling the page
    for button in (panel.evaluate_button, panel.continue_button, panel.delete_button,
                   panel.start_button):
        assert whole(button), button.text()
    assert panel.runs_list.visibleRegion().boundingRect().height() >= \
        3 * panel.runs_list.fontMetrics().height()
    # every cell as wide as its text: nothing elided to "…"
    for table in (view.confusion, view.per_class):
        for j in range(table.columnCount()):
            assert table.columnWidth(j) >= table.sizeHintForColumn(j), (table, j)
    # the titles whole and apart
    titles = (view.confusion_title, view.per_class_title, view.gallery_title)
    for title in titles[:2]:
        assert title.width() >= title.sizeHint().width(), title.text()
    rects = [t.rect().translated(t.mapTo(view, t.rect().topLeft())) for t in titles]
    assert not any(a.intersects(b) for i, a in enumerate(rects) for b in rects[i + 1:])


@pytest.mark.parametrize("size", [(1024, 700), (1920, 1080)])
def test_the_doors_faces_line_reads_whole_at_both_sizes(window, qtbot, size):
    """Its label shared a row with the faces controls and was squeezed at 1024x700 to
    "The doo / look / for" (a word cut, the rest below its height): every word must fit its
    width, and its longest text wrapped must fit its height."""
    from PySide6.QtCore import QRect, Qt

    door = window.panels["Happy door"]
    window.show_panel("Happy door")
    _settle(qtbot, window, *size)
    label = door.faces_label
    metrics = label.fontMetrics()
    texts = [label.text(), "12 faces found; the door opens only when everyone smiles "
                           "(face 12 decides)."]
    qtbot.waitUntil(lambda: label.contentsRect().width() > 0, timeout=5000)
    room = label.contentsRect()
    for text in texts:
        widest = max(metrics.horizontalAdvance(word) for word in text.split())
        assert widest <= room.width(), (text, room.width())
        wrapped = metrics.boundingRect(QRect(0, 0, room.width(), 10_000),
                                       int(Qt.TextFlag.TextWordWrap), text)
        assert wrapped.height() <= room.height(), (text, room.width(), room.height())
