"""The Architecture panel's "Case studies": the ticked networks side by side, each row the
core's (and `cnnexplorer compare`'s) numbers, marks on the chart for those with an accuracy."""

from cnnexplorer.core.arch.case_studies import compare_networks
from cnnexplorer.core.keras.sources import load_network
from cnnexplorer.core.keras.model_setup import ArchSpec
from cnnexplorer.gui.architecture.compare_view import CASE_STUDIES, CompareView


def test_the_five_case_studies_by_default_with_the_core_numbers(qtbot):
    view = CompareView(batch_size=16)
    qtbot.addWidget(view)
    assert view.checked_keys() == list(CASE_STUDIES)
    assert view.table.rowCount() == 5
    expected = compare_networks([(k, load_network(k)[1].title, load_network(k)[0])
                                 for k in CASE_STUDIES], 16)
    assert [(r.key, r.params, r.macs, r.training_memory) for r in view.rows] == \
        [(r.key, r.params, r.macs, r.training_memory) for r in expected]
    assert view.table.item(2, 4).text() == "16"  # VGG-16's depth
    # LeNet-5 has no published ImageNet figure: listed, not on the chart
    assert view.table.item(0, 8).text() == "-"
    assert "LeNet-5" in view.note.text()
    view.set_batch_size(64)
    assert view.rows[2].training_memory > expected[2].training_memory


def test_ticking_and_accuracy_from_saved_runs(qtbot):
    import numpy as np

    from cnnexplorer.core.data.base import Dataset
    from cnnexplorer.core.train.config import TrainConfig
    from cnnexplorer.core.train.engine import train

    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 32)
    x = (rng.random((32, 12, 12, 3)) * 255).astype(np.uint8)
    data = Dataset("tiny-set", ["a", "b"], x, y)
    train(ArchSpec("happymodel", {"filters": 2, "kernel": 3, "padding": 1}), data,
          TrainConfig(epochs=1, batch_size=16, validation_split=0.25))
    view = CompareView()
    qtbot.addWidget(view)
    view.set_checked(["happymodel", "vgg16"])
    assert [r.key for r in view.rows] == ["vgg16", "happymodel"]  # the zoo's order
    index = view.source.findData("tiny-set")
    assert index > 0
    view.source.setCurrentIndex(index)
    rows = {r.key: r for r in view.rows}
    assert rows["happymodel"].accuracy is not None
    # never tested: its validation figure, and the view says so
    assert "validation accuracy of its best model" in rows["happymodel"].accuracy_source
    assert view.table.item(1, 8).text().endswith("(validation)")
    assert "No test accuracy measured" in view.note.text()
    assert rows["vgg16"].accuracy is None  # no run of it on that set: no published figure


def test_evaluate_records_the_test_accuracy_the_view_then_shows(qtbot):
    import numpy as np

    from cnnexplorer.core.data.base import Dataset
    from cnnexplorer.core.train.config import TrainConfig
    from cnnexplorer.core.train.engine import train
    from cnnexplorer.core.train.jobs import evaluate_job

    rng = np.random.default_rng(1)
    y = rng.integers(0, 2, 40)
    x = (rng.random((40, 12, 12, 3)) * 255).astype(np.uint8)
    data = Dataset("tested-set", ["a", "b"], x[:30], y[:30], x[30:], y[30:])
    view = CompareView()
    qtbot.addWidget(view)
    view.set_checked(["happymodel"])
    assert view.source.findData("tested-set") == -1
    result = train(ArchSpec("happymodel", {"filters": 2, "kernel": 3, "padding": 1}), data,
                   TrainConfig(epochs=1, batch_size=16, validation_split=0.25))
    # Evaluate, as the Training panel runs it
    evaluation = evaluate_job(result.run, data, None)(lambda e: None, None)[0]
    view.show()  # shown (the tab chosen): the sources and the runs' tests are read again
    qtbot.waitExposed(view)
    view.source.setCurrentIndex(view.source.findData("tested-set"))
    (row,) = view.rows
    assert (row.accuracy, row.accuracy_kind) == (evaluation.accuracy, "test")
    assert "(10 test images" in row.accuracy_source
    assert view.table.item(0, 8).text() == f"{evaluation.accuracy:.1%} (test)"
    assert "No test accuracy" not in view.note.text()


def test_the_chart_writes_macs_as_counts_on_its_log_axis(qtbot):
    """The x ticks read "1 G", "2 G", "10 G": pyqtgraph's own log axis wrote "1", "2" and
    "10¹" under a unit of "(x1e+09)"."""
    view = CompareView()
    qtbot.addWidget(view)
    axis = view.plot.getAxis("bottom")
    assert axis.logMode
    ticks = [v for _spacing, level in axis.tickValues(8.9, 10.4, 600) for v in level]
    texts = axis.tickStrings(ticks, 1.0, 1.0)
    assert "1 G" in texts and "10 G" in texts
    assert not any("e+" in t or "¹" in t for t in texts)
    # only 1, 2 and 5 x 10^n are named: "800 M 900 M 1 G" ran into each other
    assert {t for t in texts if t} == {"1 G", "2 G", "5 G", "10 G", "20 G"}, texts
    assert "x1e" not in axis.labelString()
