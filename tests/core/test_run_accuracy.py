"""A run's test accuracy (tests.json) and the figure the case studies quote for it: the test
accuracy of the best model when one was measured on the run's own data and best.keras has not
changed since, else the validation accuracy, always saying which (no TensorFlow here)."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest

from cnnexplorer.core.errors import ConfigError
from cnnexplorer.core.train.run_accuracy import (best_run_accuracies, case_study_accuracies,
                                                 run_accuracy, run_datasets)
from cnnexplorer.core.train.runs import create_run, list_runs


def data(name="signs", fingerprint="f1"):
    return SimpleNamespace(name=name, fingerprint=fingerprint)


def result(accuracy, split="test", images=30, loss=0.5):
    return SimpleNamespace(accuracy=accuracy, split=split, images=images, loss=loss)


def make_run(name, key="resnet50_course", val_accuracies=(0.5, 0.7), dataset=None):
    dataset = dataset or data()
    run = create_run({"architecture": {"key": key},
                      "dataset": {"name": dataset.name, "fingerprint": dataset.fingerprint}},
                     name=name)  # in the tests' own CNNEXPLORER_HOME (conftest)
    # val_loss falls as the accuracy rises: the last epoch is the best one
    run.write_history([{"loss": 1.0, "accuracy": 0.6, "val_loss": 1.0 - v, "val_accuracy": v}
                       for v in val_accuracies])
    return run


def test_a_run_never_tested_is_quoted_by_its_validation_accuracy():
    run = make_run("old")
    assert not run.tests_path.exists() and run.tests() == []  # runs made before tests.json
    quoted = run_accuracy(run)
    assert (quoted.kind, quoted.accuracy) == ("validation", 0.7)
    assert "validation accuracy of its best model (no test accuracy measured)" in \
        quoted.source()


def test_a_recorded_test_is_quoted_with_its_images_and_date():
    run = make_run("tested")
    entry = run.record_test(result(0.81), data(), by="evaluate")
    assert entry["best_epoch"] == 2 and entry["by"] == "evaluate"
    assert json.loads(run.tests_path.read_text())[0]["accuracy"] == 0.81
    quoted = run_accuracy(run)
    assert (quoted.kind, quoted.accuracy, quoted.images) == ("test", 0.81, 30)
    assert quoted.source().startswith(f"run {run.name}: test accuracy of its best model "
                                      f"(30 test images, 20")
    # a run built otherwise than the zoo's defaults (the row's costs) says how
    config = run.config()
    config["architecture"].update(input_shape=[32, 32, 3], options={"width": 0.5})
    run.write_config(config)
    assert run_accuracy(run).source().startswith(f"run {run.name} (32x32x3, width=0.5): test")
    # measured again on the same data: replaced, not piled up
    run.record_test(result(0.83), data(), by="evaluate")
    assert [t["accuracy"] for t in run.tests()] == [0.83]


def test_only_a_test_of_the_runs_own_data_and_its_current_best_model_counts():
    run = make_run("r")
    # a score on the training images of a set without a test split is no test accuracy
    assert run.record_test(result(0.99, split="all (the dataset has no test split)"),
                           data(), by="evaluate") is None
    assert run.tests() == []
    run.record_test(result(0.2), data("other", "f2"), by="evaluate")  # someone else's data
    assert run_accuracy(run).kind == "validation"
    run.record_test(result(0.9), data(), by="train")
    assert run_accuracy(run).kind == "test"
    # Continue found a better epoch: best.keras is another model, its test is stale
    run.write_history(run.history() + [{"loss": 0.5, "accuracy": 0.9, "val_loss": 0.1,
                                        "val_accuracy": 0.95}])
    quoted = run_accuracy(run)
    assert (quoted.kind, quoted.accuracy) == ("validation", 0.95)


def test_each_architecture_is_represented_by_a_tested_run_chosen_by_validation():
    untested = make_run("a", val_accuracies=(0.5, 0.9))
    low = make_run("b", val_accuracies=(0.5, 0.6))
    high = make_run("c", val_accuracies=(0.5, 0.8))
    low.record_test(result(0.95), data(), by="evaluate")   # luckiest on the test set
    high.record_test(result(0.75), data(), by="evaluate")
    make_run("d", key="plain_net", val_accuracies=(0.3,))
    make_run("e", key="plain_net", dataset=data("digits", "f9"))
    best = best_run_accuracies("signs")
    # a tested run beats an untested one; among tested ones the validation figure chooses,
    # never the test figure
    assert best["resnet50_course"].run == high.name and best["resnet50_course"].accuracy == 0.75
    assert untested.name not in {q.run for q in best.values()}
    assert best["plain_net"].kind == "validation"
    assert set(case_study_accuracies("digits")) == {"plain_net"}
    assert case_study_accuracies("signs")["resnet50_course"] == (
        0.75, "test", best["resnet50_course"].source())
    assert run_datasets() == ["signs", "digits"]


def test_a_damaged_tests_file_skips_the_run_and_a_new_test_replaces_it():
    run = make_run("damaged")
    good = make_run("good", key="plain_net")
    run.tests_path.write_text('{"accuracy": "high"}')
    with pytest.raises(ConfigError, match="tests.json: not a list of test results"):
        run.tests()
    assert set(best_run_accuracies("signs")) == {"plain_net"}  # skipped, not fatal
    run.record_test(result(0.6), data(), by="evaluate")
    assert run_accuracy(run).kind == "test"
    assert len(list_runs()) == 2 and good.tests() == []
