"""A kill -9 at a chosen moment of a run, for the resume tests.

Not a test module: imported by tests/core/test_resume_backup.py and tests/test_cli_resume.py
(pytest puts tests/ on sys.path through its conftest.py).
"""

from __future__ import annotations

import contextlib
import os
import shutil

import pytest


class Killed(BaseException):
    """Stands for kill -9: nothing after it runs, no `except Exception` catches it."""


@contextlib.contextmanager
def killed_when_removing(folder_name: str):
    """Run the block as if the process were killed the moment it removes a folder named
    `folder_name` with shutil.rmtree (a finished run removing its "backup": the moment of
    issue 19's strace reproduction). The block must be killed there: else this fails."""
    real_rmtree = shutil.rmtree

    def dying_rmtree(path, *args, **kwargs):
        if os.path.basename(str(path).rstrip("/")) == folder_name:
            raise Killed()
        return real_rmtree(path, *args, **kwargs)

    shutil.rmtree = dying_rmtree
    try:
        with pytest.raises(Killed):
            yield
    finally:
        shutil.rmtree = real_rmtree
