"""Rules that have one home in the source: a copy elsewhere fails here, naming the file.

Each test scans the package's source for the tell-tale of a copied rule, so a literal
typed again by hand is caught before it drifts from the one definition.
"""

import re
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "cnnexplorer"


def _sources():
    for path in sorted(PACKAGE.rglob("*.py")):
        yield path.relative_to(PACKAGE.parent).as_posix(), path.read_text(encoding="utf-8")


def _lines_matching(pattern: str, allowed: set[str]) -> list[str]:
    regex = re.compile(pattern)
    return [f"{name}:{i}: {line.strip()}"
            for name, text in _sources() if name not in allowed
            for i, line in enumerate(text.splitlines(), 1) if regex.search(line)]


def test_the_door_threshold_is_typed_once():
    # a default threshold (a parameter, an attribute, an argparse default) written as 0.5
    found = _lines_matching(r"threshold\w*\s*(:\s*float\s*)?=\s*0\.5\b|default=0\.5\b.*[Tt]hreshold",
                            {"cnnexplorer/core/door/threshold.py"})
    assert not found, "use core.door.threshold.DEFAULT_THRESHOLD:\n" + "\n".join(found)


def test_open_dialog_filters_come_from_the_suffix_lists():
    from cnnexplorer.core.file_kinds import HDF5_SUFFIXES, MODEL_SUFFIXES, NPZ_SUFFIXES
    from cnnexplorer.gui import file_filters

    for suffix in MODEL_SUFFIXES:
        assert f"*{suffix}" in file_filters.MODEL_FILTER
    for suffix in HDF5_SUFFIXES:  # .hdf was missing from the dataset dialogs
        assert f"*{suffix}" in file_filters.HDF5_FILTER and f"*{suffix}" in \
            file_filters.DATASET_FILTER
    assert f"*{NPZ_SUFFIXES[0]}" in file_filters.DATASET_FILTER
    # and no open dialog types a filter by hand any more (the export dialog of run_actions
    # names one format per filter: the choice it offers is the format, not a file to read)
    found = _lines_matching(r'"[^"]*\(\*\.(h5|keras|npz|png)\b',
                            {"cnnexplorer/gui/training/run_actions.py"})
    assert not found, "build the filter with gui.file_filters:\n" + "\n".join(found)


def test_cnnexplorer_home_is_read_in_one_place():
    found = _lines_matching(r"environ[^\n]*CNNEXPLORER_HOME", {"cnnexplorer/paths.py"})
    assert not found, "use paths.home_dir():\n" + "\n".join(found)


def test_teaching_the_door_has_one_default_number_of_epochs():
    import inspect

    from cnnexplorer.core.door import captures

    assert inspect.signature(captures.train_door).parameters["epochs"].default == \
        captures.TEACH_EPOCHS
    found = _lines_matching(r"epochs\.setValue\(\d+\)", set())
    assert not found, "use captures.TEACH_EPOCHS:\n" + "\n".join(found)
