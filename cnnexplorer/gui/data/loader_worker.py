"""The Data panel's loading job: `core.data.load_dataset` with progress, run in a `Worker`.

`load_job(...)` is a `job(on_event, stop)` for `gui.workers.Worker`: it reports
`(done, total, message)` tuples and stops cooperatively (the loader's progress callback
answers False once `stop` is set; the folder loader stops between files).
"""

from __future__ import annotations

from cnnexplorer.core.data import load_dataset


def load_job(spec, image_size=None, resize: str = "stretch"):
    """The job that loads `spec` (a built-in name or a path) as `load_dataset` does."""

    def job(on_event, stop):
        def progress(done: int, total: int, message: str) -> bool:
            on_event((int(done), int(total), str(message)))
            return not stop.is_set()

        return load_dataset(spec, image_size=image_size, resize=resize, progress=progress)

    return job
