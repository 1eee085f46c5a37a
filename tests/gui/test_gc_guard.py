"""Automatic garbage collection is off under the GUI; the GUI-thread timer collects."""

import gc
import threading

from cnnexplorer.gui.gc_guard import GuiThreadCollector
from waits import THREAD_MS


class _Cycle:
    def __init__(self):
        self.me = self


def test_the_gui_thread_collects_what_a_worker_thread_left(qtbot, qapp):
    assert not gc.isenabled()
    collector = GuiThreadCollector(interval_ms=10)
    try:
        gc.collect()
        freed = threading.Event()

        def make_garbage():
            # a worker allocates plenty of cycles; with automatic collection off it frees none
            for _ in range(5000):
                _Cycle()
            marker = _Cycle()
            import weakref
            make_garbage.ref = weakref.ref(marker, lambda _r: freed.set())

        worker = threading.Thread(target=make_garbage)
        worker.start()
        worker.join()
        assert not freed.is_set()
        # the collector's timer fires on the GUI thread and frees the cycles
        qtbot.waitUntil(freed.is_set, timeout=THREAD_MS)
    finally:
        collector._timer.stop()
