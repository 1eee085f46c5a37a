"""The Training panel's progress bar and time left count only while a run trains."""

from cnnexplorer.core.train.events import BatchEnd, TrainStarted
from cnnexplorer.gui.training.progress_view import ProgressView, clock_text


class FakeClock:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


def _started(epochs=4, steps=10):
    return TrainStarted("/runs/r", epochs, 0, steps, 80, 0, "CPU", "HappyModel", 10, ())


def _batch(step, steps=10):
    return BatchEnd(step // steps, step % steps, steps, step, 0.5, 0.5, 100.0)


def test_time_left_counts_down_while_training_and_freezes_after_stop(qtbot):
    clock = FakeClock()
    view = ProgressView(clock=clock)
    qtbot.addWidget(view)
    view.started(_started())
    for step in range(10):
        view.batch(_batch(step))
    clock.now += 20.0  # 10 of 40 steps in 20 s: 60 s left
    view.tick()
    assert view.bar.value() == 10 and view.bar.maximum() == 40
    assert "time left 01:00" in view.label.text() and view.bar.format().startswith("epoch 2/4")
    view.stopping()
    clock.now += 300.0  # the old panel kept dividing the growing elapsed time
    view.tick()
    assert "time left" not in view.label.text() and "stopping" in view.label.text()
    view.finished("stopped")
    clock.now += 300.0
    view.tick()
    assert view.bar.value() == 0 and view.bar.format() == "stopped after 1 of 4 epochs"
    assert "time left" not in view.label.text()


def test_a_finished_run_fills_the_bar_and_the_next_run_counts_from_zero(qtbot):
    clock = FakeClock()
    view = ProgressView(clock=clock)
    qtbot.addWidget(view)
    view.started(_started(epochs=1))
    for step in range(10):
        view.batch(_batch(step))
    view.finished("finished")
    assert view.bar.value() == view.bar.maximum() and view.bar.format() == "finished"
    view.started(_started(epochs=2))  # the preset's second network
    view.tick()
    assert view.bar.value() == 0 and "time left ?" in view.label.text()
    assert clock_text(3725) == "01:02:05" and clock_text(float("nan")) == "?"
