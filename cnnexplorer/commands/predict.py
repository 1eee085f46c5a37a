"""`cnnexplorer predict`: would the Happy House door open for these images?

    cnnexplorer predict [--model PATH] IMAGE... [--threshold T] [--json]

One line (or one JSON object) per image, in the order given: the happy probability and the
decision, `open` or `closed`. The bundled door model is used unless --model names a .keras/.h5
file (opened in Keras' safe mode; a model that does not fit the door is refused with what it
expects). A file that is not a readable image gets a one-line message on stderr and the others
are still judged; the exit code is then 2.
"""

from __future__ import annotations

import sys

from cnnexplorer.commands.arg_types import number
from cnnexplorer.commands.json_output import json_text


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "predict", help="judge images with the Happy House door model",
        description="Print the happy probability and the door's decision (open/closed) for "
                    "each image. Uses the bundled door model unless --model is given.")
    p.add_argument("images", nargs="+", metavar="IMAGE", help="image files (png, jpg, ...)")
    p.add_argument("--model", metavar="PATH",
                   help="a .keras/.h5 model with one sigmoid output (or 2-class softmax); "
                        "default: the bundled HappyModel")
    p.add_argument("--threshold", type=number, default=0.5, metavar="T",
                   help="the door opens when the happy probability is >= T (default 0.5)")
    p.add_argument("--json", action="store_true",
                   help="one JSON object per line: image, probability, threshold, decision "
                        "(or image and error)")
    p.set_defaults(func=run)


def run(args) -> int:
    from cnnexplorer.core.data.images import ImageReadError
    from cnnexplorer.core.door.inference import check_threshold, load_door_model, read_door_image

    threshold = check_threshold(args.threshold)
    door = load_door_model(args.model)  # ModelFileError -> one line, exit 2 (cli.main)
    failed = 0
    batch: list[tuple[str, object]] = []

    def flush():
        preds = door.predict_images([img for _, img in batch], threshold)
        for (name, _), pred in zip(batch, preds):
            if args.json:
                print(json_text({"image": name, **pred.as_dict()}), flush=False)
            else:
                print(f"{name}: {pred.decision} (happy {pred.probability:.3f}, "
                      f"threshold {threshold:g})")
        sys.stdout.flush()
        batch.clear()

    for name in args.images:
        try:
            batch.append((name, read_door_image(name)))
        except ImageReadError as exc:
            flush()  # keep the output in the order given
            failed += 1
            if args.json:
                print(json_text({"image": name, "error": str(exc)}), flush=True)
            print(f"cnnexplorer predict: {exc}", file=sys.stderr, flush=True)
            continue
        if len(batch) >= 64:
            flush()
    if batch:
        flush()
    if failed:
        print(f"cnnexplorer predict: {failed} of {len(args.images)} file(s) could not be read",
              file=sys.stderr)
        return 2
    return 0
