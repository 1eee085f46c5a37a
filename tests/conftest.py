"""Shared test set-up: offscreen Qt, quiet TensorFlow, and user data isolated per test run."""

import os
import sys
import tempfile

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")
# Never the user's runs and settings, not even for a module- or session-scoped fixture made
# before the per-test folder below (a window built by one read the user's saved tab and
# laid out another one): a folder of the session's own from the start.
os.environ["CNNEXPLORER_HOME"] = tempfile.mkdtemp(prefix="cnnexplorer-tests-")

import pytest  # noqa: E402

from cnnexplorer.gui.pyside_check import problem  # noqa: E402

if problem():  # as the app does: a PySide6 that frees None would abort the run midway
    pytest.exit(problem(), returncode=2)


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path_factory, monkeypatch):
    """Runs, caches and settings of a test go to a fresh folder, never the user's."""
    home = tmp_path_factory.mktemp("cnnexplorer_home")
    monkeypatch.setenv("CNNEXPLORER_HOME", str(home))
    yield home


@pytest.fixture(scope="session")
def shared_data_dir():
    """../shared/data beside the checkout (or $CNNEXPLORER_SHARED_DATA, for a worktree
    elsewhere), when present (real photos); else skip."""
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    path = os.environ.get("CNNEXPLORER_SHARED_DATA") or os.path.join(os.path.dirname(here),
                                                                      "shared", "data")
    if not os.path.isdir(path):
        pytest.skip("../shared/data is not present")
    return path


def pytest_report_header(config):
    return f"python {sys.version.split()[0]}; QT_QPA_PLATFORM={os.environ['QT_QPA_PLATFORM']}"
