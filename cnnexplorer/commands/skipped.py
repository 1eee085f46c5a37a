"""Naming the files a dataset loader skipped, on stderr (the Data panel lists them too).

A folder where 6 of 26 images are unreadable used to train on 20 without a word; now each
skipped file is named with its reason (names made printable: a file or class name holding
terminal escapes or newlines is shown as text), up to MAX_NAMED, then a count.
"""

from __future__ import annotations

import sys

from cnnexplorer.core.formatting import display_text

#: skipped files named one by one; more are counted
MAX_NAMED = 50


def report_skipped(dataset, command: str, stream=None) -> None:
    """One line per file `dataset.skipped` lists (path, reason), on stderr."""
    stream = stream or sys.stderr
    skipped = list(getattr(dataset, "skipped", ()) or ())
    if not skipped:
        return
    total = len(skipped) + (len(dataset.y_train) if dataset.y_train is not None else 0) + \
        (len(dataset.y_test) if dataset.y_test is not None else 0)
    print(f"cnnexplorer {command}: skipped {len(skipped)} of {total} entries of "
          f"{display_text(dataset.source or dataset.name)}:", file=stream)
    for path, reason in skipped[:MAX_NAMED]:
        print(f"  {display_text(path)}: {display_text(reason)}", file=stream)
    if len(skipped) > MAX_NAMED:
        print(f"  ... and {len(skipped) - MAX_NAMED:,} more", file=stream)
    stream.flush()
