"""Options several subcommands take are one declaration (commands/shared_options.py): the same
value is read, or refused, alike by each."""

from __future__ import annotations

import pytest

from cnnexplorer.cli import build_parser


def _parse(*argv):
    return build_parser(argv[0]).parse_args(list(argv))


def _refusal(capsys, *argv) -> str:
    with pytest.raises(SystemExit) as exited:
        _parse(*argv)
    assert exited.value.code == 2
    return capsys.readouterr().err.split("error: ", 1)[1]


@pytest.mark.parametrize("bad", ["0", "-3", "many"])
def test_classes_are_checked_alike_by_inspect_and_diagram(capsys, bad):
    """diagram took --classes as any int (-3 reached the zoo); now both refuse it at once."""
    inspect = _refusal(capsys, "inspect", "lenet5", "--classes", bad)
    diagram = _refusal(capsys, "diagram", "lenet5", "-o", "x.svg", "--classes", bad)
    assert inspect.split(" (see ")[0] == diagram.split(" (see ")[0]
    assert f"must be a positive integer; received {bad!r}" in inspect


@pytest.mark.parametrize("bad", ["0", "-64"])
def test_image_size_is_checked_alike_by_train_and_evaluate(capsys, bad):
    """evaluate took --image-size as any int (0 went on to the loader); now as train does."""
    train = _refusal(capsys, "train", "happymodel", "happy-faces", "--image-size", bad)
    evaluate = _refusal(capsys, "evaluate", "door", "photos", "--image-size", bad)
    assert train.split(" (see ")[0] == evaluate.split(" (see ")[0]
    assert "--image-size: must be a positive integer" in train


def test_the_door_options_are_read_alike_by_predict_and_evaluate():
    predict = _parse("predict", "a.jpg", "--threshold", "0.7", "--faces", "all")
    evaluate = _parse("evaluate", "door", "photos", "--threshold", "0.7", "--faces", "all")
    assert (predict.threshold, predict.faces) == (evaluate.threshold, evaluate.faces) == \
        (0.7, "all")
    defaults = _parse("predict", "a.jpg"), _parse("evaluate", "door", "photos")
    assert {(d.threshold, d.faces) for d in defaults} == {(defaults[0].threshold, "any")}


def test_inspect_and_compare_share_batch_and_output_formats(capsys):
    for argv in (("inspect", "lenet5"), ("compare", "lenet5")):
        args = _parse(*argv, "--batch", "8", "--markdown")
        assert (args.batch, args.markdown, args.json, args.csv) == (8, True, False, False)
        assert "not allowed with argument" in _refusal(capsys, *argv, "--json", "--csv")
        assert "must be a positive integer" in _refusal(capsys, *argv, "--batch", "0")
