"""TensorFlow's start-up lines kept off the terminal, and nobody else's (core/keras/quiet.py).

The window imports TensorFlow on a worker thread; while the import holds stderr, the GUI
thread may write there too. Its lines must come out, TensorFlow's must not."""

import os
import subprocess
import sys
import textwrap

from cnnexplorer.core.keras.quiet import tensorflow_startup_removed

# as TensorFlow 2.21 wrote them on this project's machine (a CPU without a GPU)
TF_STARTUP = """\
WARNING: All log messages before absl::InitializeLog() is called are written to STDERR
I0000 00:00:1796310094.490840   17955 port.cc:153] oneDNN custom operations are on. You may see slightly different numerical results.
I0000 00:00:1796310094.491350   17955 cudart_stub.cc:31] Could not find cuda drivers on your machine, GPU will not be used.
I0000 00:00:1796310094.787717   17955 cpu_feature_guard.cc:227] This TensorFlow binary is optimized to use available CPU instructions in performance-critical operations.
To enable the following instructions: AVX2 AVX512F FMA, in other operations, rebuild TensorFlow with the appropriate compiler flags.
E0000 00:00:1796310103.428091   17955 cuda_platform.cc:52] failed call to cuInit: INTERNAL: CUDA error: Failed call to cuInit: UNKNOWN ERROR (303)
"""


def test_only_tensorflows_own_lines_are_removed():
    others = ("qt.qpa.xcb: could not connect to display\n"
              "Traceback (most recent call last):\n"
              "  File \"panel.py\", line 3, in <module>\n"
              "To enable the door, load a model.\n"
              "WARNING: the camera is busy\n")
    assert tensorflow_startup_removed(TF_STARTUP) == ""
    mixed = TF_STARTUP[:200].rsplit("\n", 1)[0] + "\n" + others + TF_STARTUP
    assert tensorflow_startup_removed(mixed) == others


THREADED_IMPORT = textwrap.dedent("""
    import os, sys, threading
    from cnnexplorer.core.keras.quiet import quiet_tensorflow
    assert quiet_tensorflow()
    terminal = os.readlink("/proc/self/fd/2")
    worker = threading.Thread(target=lambda: __import__("tensorflow"))
    worker.start()
    # wait until the import holds stderr, then write as the GUI thread would
    while os.readlink("/proc/self/fd/2") == terminal:
        assert worker.is_alive(), "the import ended without capturing stderr"
    os.write(2, b"a line from the GUI thread\\n")
    worker.join()
    print("imported", "tensorflow" in sys.modules)
""")


def test_a_line_written_while_tensorflow_loads_on_a_thread_comes_out_and_tfs_do_not():
    env = {k: v for k, v in os.environ.items()
           if k not in ("TF_CPP_MIN_LOG_LEVEL", "CNNEXPLORER_DEBUG")}
    out = subprocess.run([sys.executable, "-c", THREADED_IMPORT], capture_output=True,
                         text=True, env=env, timeout=600)
    assert out.returncode == 0, out.stderr[-3000:]
    assert out.stdout.strip() == "imported True"
    assert "a line from the GUI thread" in out.stderr
    for tensorflows in ("absl::InitializeLog", "oneDNN", "cuda drivers", "cuInit",
                        "rebuild TensorFlow"):
        assert tensorflows not in out.stderr, out.stderr[-3000:]


def test_the_window_quiets_tensorflow_before_it_starts(monkeypatch):
    """run_app installs the quiet import before the application (and any panel that may
    load TensorFlow) exists."""
    from cnnexplorer.gui import app

    calls = []
    monkeypatch.setattr(app, "quiet_tensorflow", lambda: calls.append("quiet"))

    class Stop(Exception):
        pass

    def create_application(argv=None):
        calls.append("application")
        raise Stop

    monkeypatch.setattr(app, "create_application", create_application)
    monkeypatch.setattr(app.pyside_check, "problem", lambda: None)
    try:
        app.run_app([])
    except Stop:
        pass
    assert calls == ["quiet", "application"]
