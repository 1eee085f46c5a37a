"""`cnnexplorer evaluate MODEL DATASET`: loss, accuracy, per-class precision and recall, and
the confusion matrix on the dataset's test split (or all of it when it has none)."""

from __future__ import annotations

import sys
from pathlib import Path

from cnnexplorer.commands.json_output import json_text


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "evaluate", help="evaluate a saved model on a dataset",
        description="Evaluate a .keras/.h5 model (or a run folder: its best model) on a "
                    "dataset's test split, or on all of it when it has no test split.",
        epilog="example: cnnexplorer evaluate runs/happy/best.keras happy-faces --json")
    p.add_argument("model", metavar="MODEL", help=".keras or .h5 file, or a run folder")
    p.add_argument("dataset", metavar="DATASET", help="built-in name or path")
    p.add_argument("--batch-size", type=int, default=64, metavar="B")
    p.add_argument("--image-size", type=int, metavar="S",
                   help="resize the dataset's images to SxS when loading")
    p.add_argument("--json", action="store_true",
                   help="print {loss, accuracy, per_class, confusion_matrix} as JSON")
    p.set_defaults(func=run)


def run(args) -> int:
    from cnnexplorer.core.data import load_dataset
    from cnnexplorer.core.keras.model_io import load_model
    from cnnexplorer.core.train.evaluation import (
        evaluate,
        evaluation_split,
        image_classifier_task,
    )
    from cnnexplorer.core.train.inputs import adaptation_notes
    from cnnexplorer.core.train.runs import open_run

    path = Path(args.model)
    model = open_run(path).load_model("best") if path.is_dir() else load_model(path)
    dataset = load_dataset(args.dataset, image_size=args.image_size)
    # Grey faces for a colour model (or the reverse) are adapted by the training rule; say
    # so once, on stderr, so that --json output stays machine-readable.
    images, _labels, _split = evaluation_split(dataset)
    for note in adaptation_notes(images.shape[1:], image_classifier_task(model)[0]):
        print(f"cnnexplorer evaluate: {note} to fit the model", file=sys.stderr)
    result = evaluate(model, dataset, batch_size=max(1, args.batch_size))
    out = sys.stdout
    if args.json:
        out.write(json_text(result.to_dict()) + "\n")
        return 0
    n = int(result.confusion_matrix.sum())
    out.write(f"{dataset.name}, {result.split}: {n} images\n")
    out.write(f"loss {result.loss:.4f}  accuracy {result.accuracy:.4f}\n\n")
    width = max(8, *(len(c) for c in result.class_names))
    out.write(f"{'class':<{width}}  precision  recall  support\n")
    for row in result.per_class():
        out.write(f"{row['class']:<{width}}  {row['precision']:9.3f}  {row['recall']:6.3f}  "
                  f"{row['support']:7d}\n")
    out.write("\nconfusion matrix (rows: true class, columns: predicted)\n")
    for name, row in zip(result.class_names, result.confusion_matrix):
        out.write(f"{name:<{width}}  " + " ".join(f"{int(v):5d}" for v in row) + "\n")
    return 0
