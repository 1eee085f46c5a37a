"""TensorFlow's start-up chatter kept off the terminal: the one place it is configured.

Importing TensorFlow 2.21 prints, from C++ and before TensorFlow reads TF_CPP_MIN_LOG_LEVEL,
"All log messages before absl::InitializeLog() is called are written to STDERR" and "Could not
find cuda drivers on your machine, GPU will not be used."; Keras warns that `shuffle=True`
"will be ignored" for a tf.data pipeline (the pipeline shuffles itself). A user of the
command line should see only our own output, so `quiet_tensorflow()`, called before anything
imports TensorFlow:

- sets TF_CPP_MIN_LOG_LEVEL=2 (C++ info and warnings) unless the user set it,
- raises the `tensorflow` and `absl` Python loggers to ERROR and ignores Keras' shuffle
  warning,
- installs an import hook that runs the first `import tensorflow` (whoever asks: `keras`,
  the engine, the door) and its device discovery (where "failed call to cuInit" comes from
  on a machine without a GPU) with the process's stderr (file descriptor 2) sent to a
  temporary file. If the import fails, all of it is replayed; if it succeeds, everything but
  TensorFlow's own start-up lines (`tensorflow_startup_removed`) is. The window imports
  TensorFlow on a worker thread while the GUI thread may write to stderr (a Qt warning, a
  traceback): those lines come out a few seconds late, not lost. TensorFlow itself still
  loads lazily.

The command line calls it first thing; so does the window (gui/app.run_app), where the lines
above came out once the door or the Training panel loaded TensorFlow.

With CNNEXPLORER_DEBUG=1 it does nothing: every message shows, as for a bug report.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import logging
import os
import re
import sys
import tempfile
import warnings

_SHUFFLE_IGNORED = r"`shuffle=True` was passed, but will be ignored"
#: what TensorFlow writes while it loads: absl's notice, its C++ log lines
#: ("I0000 00:00:1796310094.490840   17955 port.cc:153] oneDNN custom operations are on..."),
#: and the continuation of the CPU feature guard's line
_TF_STARTUP_LINE = re.compile(
    r"WARNING: All log messages before absl::InitializeLog\(\) is called"
    r"|[IWEF]\d{4} \d\d:\d\d:\d+\.\d+ +\d+ [\w.-]+:\d+\] "
    r"|To enable the following instructions: .* rebuild TensorFlow")


def tensorflow_startup_removed(text: str) -> str:
    """`text` (what stderr received while TensorFlow loaded) without TensorFlow's own lines."""
    return "".join(line for line in text.splitlines(keepends=True)
                   if not _TF_STARTUP_LINE.match(line))


def debugging() -> bool:
    return bool(os.environ.get("CNNEXPLORER_DEBUG"))


def quiet_tensorflow() -> bool:
    """Configure as described above; False (nothing done) when debugging or TF is loaded."""
    if debugging():
        return False
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    for name in ("tensorflow", "absl"):
        logging.getLogger(name).setLevel(logging.ERROR)
    warnings.filterwarnings("ignore", message=_SHUFFLE_IGNORED)
    if "tensorflow" in sys.modules:
        return False
    if not any(isinstance(f, _QuietImport) for f in sys.meta_path):
        sys.meta_path.insert(0, _QuietImport())
    return True


class _QuietImport(importlib.abc.MetaPathFinder):
    """Finds `tensorflow` as usual and wraps its loader so the import runs with stderr
    captured; removes itself after that first import."""

    def find_spec(self, name, path=None, target=None):
        if name != "tensorflow":
            return None
        sys.meta_path.remove(self)
        spec = importlib.machinery.PathFinder.find_spec(name, path)
        if spec is not None and spec.loader is not None:
            spec.loader = _CapturedLoader(spec.loader)
        return spec


class _CapturedLoader(importlib.abc.Loader):
    def __init__(self, loader):
        self._loader = loader

    def create_module(self, spec):
        return self._loader.create_module(spec)

    def exec_module(self, module):
        sys.stderr.flush()
        saved = os.dup(2)
        with tempfile.TemporaryFile() as captured:
            os.dup2(captured.fileno(), 2)
            try:
                self._loader.exec_module(module)
                # Finding the devices (cuInit) logs "failed call to cuInit" on a machine
                # without a GPU: do it now, inside the capture, rather than at the first op.
                module.config.list_physical_devices()
            except KeyboardInterrupt:
                raise  # Ctrl-C: the import's chatter is no reason, the command says why
            except BaseException:
                _replay(captured, saved, lambda text: text)
                raise
            else:
                # what others wrote meanwhile (another thread, a library): said after all
                _replay(captured, saved, tensorflow_startup_removed)
            finally:
                os.dup2(saved, 2)
                os.close(saved)

    def __getattr__(self, name):  # get_resource_reader, is_package, ...: the real loader's
        return getattr(self._loader, name)


def _replay(captured, saved: int, keep) -> None:
    """Give stderr back (file descriptor `saved`) and write what `captured` received, as
    `keep` leaves it."""
    os.dup2(saved, 2)
    captured.seek(0)
    sys.stderr.write(keep(captured.read().decode(errors="replace")))
    sys.stderr.flush()
