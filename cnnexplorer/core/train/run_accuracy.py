"""The accuracy the case studies quote for a saved run (`cnnexplorer compare --runs`, the
Architecture panel's "Case studies"), and which run each architecture is represented by.

A run is quoted by the **test accuracy of its best model** on the data it was trained on
when one was measured (train's final evaluation, Evaluate, `cnnexplorer evaluate RUN DATA`:
`Run.record_test`), and only while best.keras is still the model that was tested. Otherwise
by the validation accuracy of its best model (the runs list's figure), or its training
accuracy for a run without validation; the kind always travels with the figure, so a front
end says "test" or "validation" and never passes one off as the other.

Each architecture is represented by one run: those with a test accuracy first, and among
them the best by the validation accuracy of the best model. The test figure never chooses
the run, so the figure quoted stays an honest estimate (choosing by it would pick the
luckiest draw of the test set).
"""

from __future__ import annotations

from dataclasses import dataclass

from cnnexplorer.core.train.runs import Run, list_runs
from cnnexplorer.core.train.scores import best_epoch


@dataclass(frozen=True)
class RunAccuracy:
    """One run's quoted accuracy. `kind` is "test", "validation" or "training"; `images`
    and `date` describe a test result (None otherwise); `val_accuracy` is the validation
    accuracy of the best model, the figure runs are chosen by."""

    run: str
    architecture: str
    dataset: str
    accuracy: float
    kind: str
    val_accuracy: float | None = None
    images: int | None = None
    date: str | None = None
    #: how the run built the network: '12x12x3, depth=4' (the row's costs are the zoo's own
    #: configuration, which a run need not have used)
    trained_as: str = ""

    def source(self) -> str:
        """Where the figure comes from, in words: 'run NAME (12x12x3, depth=4): test accuracy
        of its best model (30 test images, 2026-12-03)'."""
        built = f" ({self.trained_as})" if self.trained_as else ""
        text = f"run {self.run}{built}: {self.kind} accuracy of its best model"
        if self.kind == "test":
            return text + f" ({self.images} test images, {(self.date or '')[:10]})"
        return text + " (no test accuracy measured)"

    def for_case_study(self) -> tuple[float, str, str]:
        """(accuracy, kind, source): what `core.arch.case_studies` rows take."""
        return self.accuracy, self.kind, self.source()


def _test_result(run: Run, config: dict, history: list[dict]) -> dict | None:
    """The latest test of best.keras on the run's own data, while best.keras is unchanged."""
    data = config.get("dataset", {})
    best = best_epoch(history)
    for test in reversed(run.tests()):
        same_data = (test.get("fingerprint") == data.get("fingerprint")
                     if data.get("fingerprint") else test.get("dataset") == data.get("name"))
        if same_data and test.get("best_epoch") == (best.epoch if best else None):
            return test
    return None


def _trained_as(arch: dict) -> str:
    """The run's input shape and options, as a row's source names them."""
    shape = arch.get("input_shape")
    parts = ["x".join(map(str, shape))] if isinstance(shape, list) and shape else []
    options = arch.get("options")
    if isinstance(options, dict):
        parts += [f"{k}={v}" for k, v in options.items()]
    return ", ".join(parts)


def run_accuracy(run: Run) -> RunAccuracy | None:
    """The figure `run` is quoted by (see the module doc); None when it has none.

    Raises ConfigError for a damaged run folder (unreadable config, history or tests)."""
    config, history = run.config(), run.history()
    key = config.get("architecture", {}).get("key")
    dataset = config.get("dataset", {}).get("name")
    best = best_epoch(history)
    if not key or not dataset or best is None:
        return None
    common = {"run": run.name, "architecture": key, "dataset": dataset,
              "val_accuracy": best.val_accuracy,
              "trained_as": _trained_as(config.get("architecture", {}))}
    test = _test_result(run, config, history)
    if test is not None:
        return RunAccuracy(accuracy=float(test["accuracy"]), kind="test",
                           images=test.get("images"), date=test.get("date"), **common)
    if best.val_accuracy is not None:
        return RunAccuracy(accuracy=best.val_accuracy, kind="validation", **common)
    if best.accuracy is not None:
        return RunAccuracy(accuracy=best.accuracy, kind="training", **common)
    return None


def _quotable(runs) -> list[RunAccuracy]:
    out = []
    for run in runs:
        try:
            quoted = run_accuracy(run)
        except Exception:  # noqa: BLE001 - a damaged run folder is skipped, not fatal
            continue
        if quoted is not None:
            out.append(quoted)
    return out


def best_run_accuracies(dataset: str, runs=None) -> dict[str, RunAccuracy]:
    """{architecture key: the run that represents it} among the saved runs (`runs`, default
    all) trained on `dataset`: runs with a test accuracy first, then by the validation
    accuracy of the best model (the quoted figure where there is none)."""
    best: dict[str, RunAccuracy] = {}

    def rank(q: RunAccuracy):
        chosen_by = q.val_accuracy if q.val_accuracy is not None else q.accuracy
        return (q.kind == "test", chosen_by)

    for quoted in _quotable(list_runs() if runs is None else runs):
        if quoted.dataset != dataset:
            continue
        if quoted.architecture not in best or rank(quoted) > rank(best[quoted.architecture]):
            best[quoted.architecture] = quoted
    return best


def case_study_accuracies(dataset: str, runs=None) -> dict[str, tuple[float, str, str]]:
    """{architecture key: (accuracy, kind, source)} of the runs on `dataset`, for
    `core.arch.case_studies.compare_networks`."""
    return {key: q.for_case_study() for key, q in best_run_accuracies(dataset, runs).items()}


def run_datasets(runs=None) -> list[str]:
    """The datasets saved runs were trained on, most runs first."""
    counts: dict[str, int] = {}
    for run in list_runs() if runs is None else runs:
        try:
            name = run.config().get("dataset", {}).get("name")
        except Exception:  # noqa: BLE001 - a damaged run folder is skipped
            continue
        if name:
            counts[name] = counts.get(name, 0) + 1
    return sorted(counts, key=lambda n: -counts[n])
