"""One live trainer per run folder: an advisory lock on `RUN/.train.lock`, holding its pid.

A second `train --out SAME` (or `--resume`, or the window continuing the run) while the first
still trains would resume from the live run's backup and both would write the same files.
The lock is `fcntl.flock` on a file in the run folder: the kernel drops it when its holder
ends in any way (kill -9 included), so a lock left by a dead process is simply taken over;
the file keeps the holder's pid only to name it in the refusal. The file is never deleted
(deleting it would let a third process lock a new file while a second holds the old one).
Where `fcntl` does not exist (Windows), the pid alone decides: a lock whose pid is alive
is respected, any other is taken over.
"""

from __future__ import annotations

import os
from pathlib import Path
from types import ModuleType

from cnnexplorer.core.errors import TrainingError
from cnnexplorer.core.safe_files import writing

fcntl: ModuleType | None
try:
    import fcntl
except ImportError:  # Windows
    fcntl = None

LOCK_NAME = ".train.lock"


def pid_alive(pid) -> bool:
    """A process with this pid exists (a pid no system can have is not alive)."""
    if isinstance(pid, bool) or not isinstance(pid, int) or not 0 < pid < 2**31:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    except OSError:  # an invalid pid on some systems
        return False
    return True


class RunLock:
    """Held while this process trains into `folder`; `release()` (or `with`) lets go."""

    def __init__(self, folder):
        self.path = Path(folder) / LOCK_NAME
        self._fd: int | None = None
        with writing(self.path, TrainingError, "lock the run folder at"):
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            self._take(fd)
        except BaseException:
            os.close(fd)
            raise
        self._fd = fd

    def _take(self, fd: int) -> None:
        holder = _read_pid(fd)
        if fcntl is not None:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                self._refuse(holder)
        elif holder not in (None, os.getpid()) and pid_alive(holder):
            self._refuse(holder)
        with writing(self.path, TrainingError, "lock the run folder at"):
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)

    def _refuse(self, holder) -> None:
        who = f"process {holder}" if holder else "another process"
        raise TrainingError(f"{self.path.parent}: the run is being trained by {who} now; wait "
                            f"for it to end or stop it first")

    def release(self) -> None:
        if self._fd is None:
            return
        try:
            os.ftruncate(self._fd, 0)  # no pid left to name once nobody holds it
        except OSError:
            pass
        os.close(self._fd)  # closing drops the flock
        self._fd = None

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.release()


def _read_pid(fd: int) -> int | None:
    try:
        text = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
    except OSError:
        return None
    return int(text) if text.isdigit() and len(text) < 12 else None
