"""`cnnexplorer predict`: would the Happy House door open for these images?

    cnnexplorer predict [--model PATH] IMAGE... [--threshold T] [--faces any|largest|all]
                        [--json] [--no-face-finding]

One line (or one JSON object) per image, in the order given. Faces are found first, as the
door does (core.door.verdict): each face is cropped and judged, and the decision, `open` or
`closed`, follows the rule for several faces (`--faces`: anyone smiles, the default; the
largest face; everyone smiles); an image with no face stays `closed` ("no face found"),
unless it is small enough to be a face crop already, which is then judged whole. The JSON
lists every face with its box `[x, y, w, h]` in the original image's pixels and its
probability. `--no-face-finding` judges each whole image, as the door did before.

The bundled door model is used unless --model names a .keras/.h5 file (opened in Keras' safe
mode; a model that does not fit the door is refused with what it expects). A file that is not
a readable image gets a one-line message on stderr and the others are still judged; the exit
code is then 2.
"""

from __future__ import annotations

import sys
from pathlib import Path

from cnnexplorer.commands.shared_options import add_door_judging
from cnnexplorer.commands.json_output import json_text
from cnnexplorer.core.door.rules import RULES
from cnnexplorer.core.safe_files import display_name
from cnnexplorer.core.errors import CnnExplorerError
from cnnexplorer.core.train.runs import open_run
from cnnexplorer.core.door.inference import (check_threshold, load_door_model, read_door_image,
                                             read_door_photo)
from cnnexplorer.core.door.verdict import FACES, NO_FACE, judge_image


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "predict", help="judge images with the Happy House door model",
        description="Find the faces in each image, judge each with the door model and print "
                    "the happy probability and the door's decision (open/closed) by the rule "
                    "for several faces (--faces). Uses the bundled door model unless --model "
                    "is given.")
    p.add_argument("images", nargs="+", metavar="IMAGE", help="image files (png, jpg, ...)")
    p.add_argument("--model", metavar="PATH",
                   help="a .keras/.h5 model with one sigmoid output (or 2-class softmax), "
                        "or a run folder (its best model, as evaluate and --from take it); "
                        "default: the bundled door model")
    add_door_judging(p)
    p.add_argument("--json", action="store_true",
                   help="one JSON object per line: image, mode, faces (box [x, y, w, h] in "
                        "the image's pixels, probability, decision), probability, threshold, "
                        "decision (or image and error)")
    p.add_argument("--no-face-finding", action="store_true",
                   help="judge each whole image, without looking for faces first")
    p.add_argument("--careful", action="store_true",
                   help="judge each face with its mirror too and average the two (twice "
                        "the model's time: the notes' test-time trick)")
    p.set_defaults(func=run)


def _line(name: str, verdict, threshold: float) -> str:
    if verdict.mode == NO_FACE:
        return f"{name}: closed (no face found, threshold {threshold:g})"
    how = {FACES: f"{len(verdict.faces)} face{'s' if len(verdict.faces) != 1 else ''}"}.get(
        verdict.mode, verdict.mode)
    if len(verdict.faces) > 1:
        how += f", {RULES[verdict.rule]}: face {verdict.deciding_index + 1} decides"
    return (f"{name}: {verdict.decision} (happy {verdict.probability:.3f}, threshold "
            f"{threshold:g}, {how})")


def run(args) -> int:
    threshold = check_threshold(args.threshold)
    model = args.model
    if model is not None and Path(model).is_dir():  # a run folder: its best model
        model = open_run(Path(model)).model_path("best")
    door = load_door_model(model)  # ModelFileError -> one line, exit 2 (cli.main)
    if args.careful:
        from cnnexplorer.core.door.careful import CarefulDoor

        door = CarefulDoor(door)
    # One file at a time, nothing kept after its line, each reduced as it is decoded: to the
    # model's input without face finding, else to a long side of PHOTO_SIDE for the detector
    # (a large JPEG is decoded at a fraction of its size); boxes go back to the file's pixels.
    failed = 0
    for path in args.images:
        name = display_name(path)  # a name that is not UTF-8 prints with U+FFFD
        try:
            if args.no_face_finding:
                image = read_door_image(path, door.input_shape)
                verdict = judge_image(door, image, threshold, find_faces=False,
                                      rule=args.faces)
            else:
                image, factor = read_door_photo(path)
                verdict = judge_image(door, image, threshold, rule=args.faces).scaled(factor)
        except Exception as exc:  # noqa: BLE001 - whatever one file raises, the others go on
            failed += 1
            text = str(exc) if isinstance(exc, CnnExplorerError) else \
                f"{name}: cannot be judged ({type(exc).__name__}: {exc})"
            if args.json:
                print(json_text({"image": name, "error": text}), flush=True)
            print(f"cnnexplorer predict: {text}", file=sys.stderr, flush=True)
            continue
        del image  # the next file is decoded without this one still in memory
        if args.json:
            print(json_text({"image": name, **verdict.as_dict()}), flush=True)
        else:
            print(_line(name, verdict, threshold), flush=True)
    if failed:
        print(f"cnnexplorer predict: {failed} of {len(args.images)} file(s) could not be read",
              file=sys.stderr)
        return 2
    return 0
