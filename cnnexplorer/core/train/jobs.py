"""Training jobs for a front end: plain functions `job(on_event, stop) -> result` that load
the data, build, train, evaluate or transfer by calling the core; the Training panel runs
them in its worker thread (nothing here knows about threads or widgets)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from cnnexplorer.core.errors import ConfigError
from cnnexplorer.core.data import builtin_names
from cnnexplorer.core.keras.model_io import load_model
from cnnexplorer.core.keras.model_setup import ArchSpec
from cnnexplorer.core.train import transfer
from cnnexplorer.core.train.crops_and_ensembles import Member, compare_test_time
from cnnexplorer.core.train.distribute import local_gpus
from cnnexplorer.core.train.engine import continue_run, train
from cnnexplorer.core.train.evaluation import evaluate
from cnnexplorer.core.train.runs import Run
from cnnexplorer.core.train.scores import best_epoch

_LOADED: dict[str, object] = {}  # built-in sets, loaded once per session


def resolve_dataset(source):
    """A Dataset as given, or a built-in set by name (loaded once)."""
    if source is None:
        from cnnexplorer.core.errors import DatasetError

        raise DatasetError("no dataset: open one in the Data panel or pick a built-in set")
    if not isinstance(source, str):
        return source
    if source not in _LOADED:
        from cnnexplorer.core.data import load_dataset

        _LOADED[source] = load_dataset(source)
    return _LOADED[source]


def devices_job():
    """How many GPUs TensorFlow sees (the first call imports TensorFlow: seconds)."""
    def job(on_event, stop):
        return local_gpus()
    return job


def train_job(arch, dataset_source, config, start_from=None, freeze: int = 0,
              faces_for_model=None):
    """Train `arch` from scratch, or with `start_from` ("door", a run folder or a model
    file) fine-tune that model's own architecture from its weights (core.train.fine_tune).

    `faces_for_model(dataset, input_shape) -> (dataset, message)` (core.door.face_data's,
    handed in by the panel: training sits below the door) cuts the images to their faces when
    the starting model judges faces; its message joins the run's notes."""
    def job(on_event, stop):
        dataset = resolve_dataset(dataset_source)
        model = arch
        if start_from is not None:
            from cnnexplorer.core.train.fine_tune import from_model

            model = from_model(start_from, dataset, freeze, arch=arch.key, seed=config.seed)
            if faces_for_model is not None and model.arch_info.get("judges_faces"):
                dataset, message = faces_for_model(dataset, model.input_shape)
                model.notes.extend(message.splitlines())
        return train(model, dataset, config, on_event=on_event, stop=stop)
    return job


def plain_vs_residual_job(dataset_source, config, options: dict | None = None):
    """Train plain_net then residual_net (same depth and width) one after the other."""
    from cnnexplorer.core.arch.zoo import registry

    for key in ("plain_net", "residual_net"):
        registry.get(key)  # a clear message now when the zoo lacks them

    def job(on_event, stop):
        ds = resolve_dataset(dataset_source)
        results = []
        for key in ("plain_net", "residual_net"):
            if stop.is_set():
                break
            results.append(train(ArchSpec(key, dict(options or {})), ds, config,
                                 on_event=on_event, stop=stop))
        return results
    return job


def _dataset_for_run(run, session_dataset, fallback):
    """The run's own dataset when it can be found (built-in name or the Data panel's set
    with the same fingerprint), else the chosen one."""
    info = run.config().get("dataset", {})
    if session_dataset is not None and session_dataset.fingerprint == info.get("fingerprint"):
        return session_dataset
    if info.get("name") in builtin_names():
        return resolve_dataset(info["name"])
    return resolve_dataset(fallback)


@dataclass(frozen=True)
class ResultTitle:
    """What an evaluation is of, for a front end to word (the GUI sets `subject` in bold)."""

    subject: str  # the run, or "3 runs"
    detail: str  # which model, on which data

    def __str__(self) -> str:
        return f"{self.subject}, {self.detail}"


def evaluate_job(run, session_dataset, fallback):
    def job(on_event, stop):
        ds = _dataset_for_run(run, session_dataset, fallback)
        model = run.load_model("best")
        result = evaluate(model, ds)
        try:
            run.record_test(result, ds, by="evaluate")  # what the Case studies quote
        except ConfigError:
            pass  # a run folder we may not write: the evaluation shows all the same
        images = ds.x_test if result.split == "test" else ds.x_train
        best = best_epoch(run.history())
        which = best.long_text() if best is not None else "the best model"
        return (result, images, ResultTitle(run.name, f"{which}, on {ds.name}"),
                str(run.model_path("best")), f"run {run.name}")
    return job


def test_time_job(runs, crops: int, session_dataset, fallback):
    """Each run alone, their ensemble (two or more runs) and, with `crops` > 1, each with its
    crops, on the first run's dataset (core.train.crops_and_ensembles); returns (comparison,
    the best row's result, the evaluated images, a title)."""
    def job(on_event, stop):
        ds = _dataset_for_run(runs[0], session_dataset, fallback)
        members = [Member(run.name, run.load_model("best")) for run in runs]
        comparison = compare_test_time(members, ds, crops=crops)
        best = comparison.best()
        images = ds.x_test if best.result.split == "test" else ds.x_train
        what = f"{len(runs)} runs" if len(runs) > 1 else runs[0].name
        return comparison, images, ResultTitle(what, f"test-time tricks, on {ds.name}")
    return job


def continue_job(run, session_dataset, fallback, epochs: int):
    def job(on_event, stop):
        ds = _dataset_for_run(run, session_dataset, fallback)
        return continue_run(run, ds, epochs, on_event=on_event, stop=stop)
    return job


def load_transfer_source_job(source):
    """source: a Run or a model path -> (model, blocks, network or None, name)."""
    def job(on_event, stop):
        network = None
        if isinstance(source, Run):
            model = source.load_model("best")
            arch = source.config().get("architecture", {})
            name = source.name
            if arch.get("key") not in (None, "transfer"):
                try:
                    from cnnexplorer.core.arch.zoo import registry

                    network = registry.get(arch["key"]).network(
                        tuple(arch["input_shape"]), arch.get("classes"), arch.get("options"))
                except Exception:  # noqa: BLE001 - an old run's options may no longer build
                    network = None  # blocks then come from the graph's shape
        else:
            model = load_model(source)
            name = Path(source).name
        return model, transfer.model_blocks(model, network), network, name
    return job


def transfer_job(model, network, name, dataset_source, freeze, cache, config):
    def job(on_event, stop):
        ds = resolve_dataset(dataset_source)
        tm = transfer.build_transfer_model(model, ds, freeze, network, seed=config.seed,
                                           source=name)
        result, _ = transfer.train_transfer(tm, ds, config, cache=cache, on_event=on_event,
                                            stop=stop)
        return result
    return job
