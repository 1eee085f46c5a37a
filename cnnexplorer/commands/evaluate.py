"""`cnnexplorer evaluate MODEL DATASET`: loss, accuracy, per-class precision and recall, and
the confusion matrix on the dataset's test split (or all of it when it has none). When MODEL
is a run (its folder or its best.keras), a test-split result is recorded in the run
(`Run.record_test`, tests.json): the test accuracy `cnnexplorer compare --runs` quotes.

`cnnexplorer evaluate door FOLDER`: the Happy door scored on a folder of labelled photos,
judged as the door judges them (faces found, the rule for several faces, the threshold):
per-photo verdicts, the confusion matrix, ROC AUC, the best threshold on that folder and the
photos with no face found (core/door/folder_score.py)."""

from __future__ import annotations

import sys
from pathlib import Path

from cnnexplorer.commands.arg_types import batch_size
from cnnexplorer.commands.shared_options import add_door_judging, add_image_size
from cnnexplorer.commands.json_output import json_text
from cnnexplorer.commands.skipped import report_skipped
from cnnexplorer.core.errors import ConfigError
from cnnexplorer.core.formatting import display_text
from cnnexplorer.core.data import load_dataset
from cnnexplorer.core.data.adapt import adaptation_notes
from cnnexplorer.core.door.face_data import faces_for_model
from cnnexplorer.core.door.folder_score import score_folder
from cnnexplorer.core.door.inference import load_door_model
from cnnexplorer.core.keras.model_io import load_model
from cnnexplorer.core.train.crops_and_ensembles import Member, compare_test_time
from cnnexplorer.core.train.fine_tune import DOOR, judges_faces
from cnnexplorer.core.train.evaluation import evaluate, evaluation_split, image_classifier_task
from cnnexplorer.core.train.runs import open_run


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "evaluate", help="evaluate a saved model on a dataset",
        description="Evaluate a .keras/.h5 model (or a run folder: its best model) on a "
                    "dataset's test split, or on all of it when it has no test split.",
        epilog="examples: cnnexplorer evaluate runs/happy/best.keras happy-faces --json; "
               "cnnexplorer evaluate door my_photos/ (happy/ and not_happy/ folders, or "
               "names ending _1 / _0)")
    p.add_argument("model", metavar="MODEL", nargs="+",
                   help=".keras or .h5 file, or a run folder; two or more: their ensemble "
                        "(probabilities averaged) beside each one alone; 'door': score the "
                        "Happy door on DATASET, a folder of labelled photos")
    p.add_argument("dataset", metavar="DATASET", help="built-in name or path")
    p.add_argument("--crops", type=int, default=1, metavar="1|2|10",
                   help="test-time crops, probabilities averaged: 1 the image, 2 with its "
                        "mirror, 10 the course's 10-crop (corners and centre of the image "
                        "and of its mirror); shown beside the single crop with the time each "
                        "takes")
    p.add_argument("--batch-size", type=batch_size, default=64, metavar="B",
                   help="images per prediction step (default 64)")
    add_image_size(p)
    p.add_argument("--json", action="store_true",
                   help="print {loss, accuracy, per_class, confusion_matrix} as JSON")
    door = p.add_argument_group("evaluate door FOLDER")
    door.add_argument("--door-model", metavar="PATH",
                      help="the door model to score (default: the bundled one)")
    add_door_judging(door)
    p.set_defaults(func=run)


def run(args) -> int:
    if args.model == [DOOR] and not Path(DOOR).exists():
        return run_door(args)
    if len(args.model) > 1 or args.crops > 1:
        return run_test_time_tricks(args)
    path = Path(args.model[0])
    run = tested_run(path)
    model = run.load_model("best") if path.is_dir() else load_model(path)
    dataset = load_dataset(args.dataset, image_size=args.image_size)
    report_skipped(dataset, "evaluate")
    if judges_faces(path):
        # a model trained from the door judges faces: it is evaluated on the faces, cut out
        # with the door's finder as in its training (said once on stderr)
        dataset, message = faces_for_model(dataset, image_classifier_task(model)[0])
        print("\n".join(f"cnnexplorer evaluate: {line}" for line in message.splitlines()),
              file=sys.stderr, flush=True)
    # Grey faces for a colour model (or the reverse) are adapted by the training rule; say
    # so once, on stderr, so that --json output stays machine-readable.
    images, _labels, _split = evaluation_split(dataset)
    for note in adaptation_notes(images.shape[1:], image_classifier_task(model)[0]):
        print(f"cnnexplorer evaluate: {note} to fit the model", file=sys.stderr)
    result = evaluate(model, dataset, batch_size=args.batch_size)
    recorded = None
    if run is not None:
        try:
            recorded = run.record_test(result, dataset, by="evaluate")
        except ConfigError as exc:  # a run folder we may not write: the result still shows
            print(f"cnnexplorer evaluate: warning: {exc}", file=sys.stderr)
    out = sys.stdout
    if args.json:
        out.write(json_text({**result.to_dict(), "recorded_in": str(run.tests_path)
                             if recorded else None}) + "\n")
        return 0
    out.write(render_result(dataset.name, result))
    if recorded:
        out.write(f"recorded as the test accuracy of run {run.name} on {display_text(dataset.name)}"
                  f" ({run.tests_path})\n")
    return 0


def tested_run(path: Path):
    """The run whose best model `path` is (a run folder, or the best.keras inside one),
    so that its test accuracy is recorded there; None for any other model file."""
    if path.is_dir():
        return open_run(path)
    if path.name == "best.keras" and (path.parent / "config.json").is_file():
        return open_run(path.parent)
    return None


def render_result(name: str, result) -> str:
    """The text report: totals, per-class table, the confusion matrix (up to
    FULL_MATRIX_CLASSES classes) and the most frequent confusions."""
    names = [display_text(c) for c in result.class_names]
    lines = [f"{display_text(name)}, {result.split}: {result.images} images",
             f"loss {result.loss:.4f}  accuracy {result.accuracy:.4f}", ""]
    width = min(40, max(8, *(len(c) for c in names)))
    lines.append(f"{'class':<{width}}  precision  recall  support")
    for label, row in zip(names, result.per_class()):
        lines.append(f"{label:<{width}}  {row['precision']:9.3f}  {row['recall']:6.3f}  "
                     f"{row['support']:7d}")
    if result.confusion_matrix is not None:
        lines += ["", "confusion matrix (rows: true class, columns: predicted)"]
        for label, row in zip(names, result.confusion_matrix):
            lines.append(f"{label:<{width}}  " + " ".join(f"{int(v):5d}" for v in row))
    top = result.top_confusions()
    if top:
        shown = "" if len(top) == len(result.confusions) else \
            f" (the {len(top)} most frequent of {len(result.confusions):,})"
        lines += ["", f"confusions{shown}: true -> predicted, images"]
        lines += [f"  {display_text(c['true'])} -> {display_text(c['predicted'])}: {c['count']}"
                  for c in top]
    return "\n".join(lines) + "\n"


def run_door(args) -> int:
    """`evaluate door FOLDER`: the door's score on labelled photos (see the module doc)."""
    door = load_door_model(args.door_model)  # ModelFileError: one line, exit 2 (cli.main)
    score = score_folder(door, args.dataset, args.threshold, args.faces)
    for _path, error in score.unreadable:
        print(f"cnnexplorer evaluate: {error}", file=sys.stderr)
    if args.json:
        sys.stdout.write(json_text(score.as_dict()) + "\n")
    else:
        sys.stdout.write(score.report() + "\n")
    return 0


def run_test_time_tricks(args) -> int:
    """Several models and/or several crops: each alone, the ensemble, the crops, with the
    time per image of each, so that the gain and its price are in one table."""
    members = [load_member(m) for m in args.model]
    dataset = load_dataset(args.dataset, image_size=args.image_size)
    images, _labels, _split = evaluation_split(dataset)
    for note in adaptation_notes(images.shape[1:], image_classifier_task(members[0].model)[0]):
        print(f"cnnexplorer evaluate: {note} to fit the model", file=sys.stderr)
    comparison = compare_test_time(members, dataset, crops=args.crops,
                                   batch_size=args.batch_size)
    if args.json:
        sys.stdout.write(json_text(comparison.to_dict()) + "\n")
    else:
        sys.stdout.write(render_comparison(comparison))
    return 0


def load_member(name: str):
    """A model file or a run folder (its best model) as an ensemble member named for the
    table by its run folder's or file's name."""
    path = Path(name)
    if path.is_dir():
        return Member(path.name or str(path), open_run(path).load_model("best"))
    return Member(path.name, load_model(path))


def render_comparison(comparison) -> str:
    """The comparison as a text table: one row per way of judging, with the per-class recall
    when there are few classes, then a line naming the best row and its price."""
    rows = comparison.rows
    names = rows[0].result.class_names
    show_classes = len(names) <= 8
    width = max(len("model"), *(len(r.label) for r in rows))
    head = f"{'model':<{width}}  crops  passes  accuracy    loss  ms/image"
    if show_classes:
        head += "  recall: " + " ".join(f"{str(c)[:6]:>6}" for c in names)
    lines = [f"{comparison.dataset}, {comparison.split}: {comparison.images} images", "",
             head, "-" * len(head)]
    for r in rows:
        line = (f"{r.label:<{width}}  {r.crops:5d}  {r.passes:6d}  {r.result.accuracy:8.4f}  "
                f"{r.result.loss:6.4f}  {1000 * r.seconds_per_image:8.3f}")
        if show_classes:
            line += "          " + " ".join(f"{v:6.3f}" for v in r.result.recall)
        lines.append(line)
    best, base = comparison.best(), comparison.best_single()
    lines.append("")
    if best is base:
        lines.append(f"best: {base.label} alone ({base.result.accuracy:.4f}): no ensemble or "
                     f"crop beat it")
    else:
        gain = 100 * (best.result.accuracy - base.result.accuracy)
        price = (best.seconds_per_image / base.seconds_per_image
                 if base.seconds_per_image > 0 else float("nan"))
        lines.append(f"best: {best.label} ({best.result.accuracy:.4f}), {gain:+.1f} points "
                     f"over {base.label} alone, for {price:.1f}x its time per image")
    lines.append("crops: probabilities averaged over the windows (10-crop: four corners and "
                 "the centre, each 0.875 of the side, of the image and of its mirror, resized "
                 "to the model's input); ensemble: averaged over the models")
    return "\n".join(lines) + "\n"
