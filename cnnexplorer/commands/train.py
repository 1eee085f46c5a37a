"""`cnnexplorer train ARCH DATASET`: train a zoo architecture on a dataset, saving a run.

With --json, one JSON object per epoch on stdout, then a final object with run_dir, model,
epochs_run, history, status, message, distribute, replicas, workers and test {loss, accuracy}
(when the dataset has a test split). Ctrl-C stops after the current batch and saves the run as
stopped; a run killed outright resumes from its last finished epoch when the same command
(with the same --out) or `train --resume RUN_DIR` is run again.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading

from cnnexplorer.commands.arg_types import parse_set
from cnnexplorer.commands.shared_options import add_image_size
from cnnexplorer.commands.json_output import json_text
from cnnexplorer.commands.skipped import report_skipped
from cnnexplorer.core.formatting import display_text
from cnnexplorer.core.train.config import Setting, TrainConfig, parse_augment
from cnnexplorer.core.data import load_dataset
from cnnexplorer.core.door.bundled_data import seen_by_the_door_note
from cnnexplorer.core.door.face_data import faces_for_model
from cnnexplorer.core.errors import ConfigError
from cnnexplorer.core.train.distribute import resolve
from cnnexplorer.core.train.engine import ArchSpec, train
from cnnexplorer.core.train.evaluation import evaluate
from cnnexplorer.core.train.events import EpochEnd, TrainStarted, event_to_dict
from cnnexplorer.core.train.fine_tune import resolve_start
from cnnexplorer.core.train.recommended import PLAIN_VS_RESIDUAL, starting_settings
from cnnexplorer.paths import bundled_door_model


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "train", help="train an architecture on a dataset and save the run",
        description="Train a zoo architecture (see 'cnnexplorer list') on a dataset: a built-in "
                    "set (happy-faces, hand-signs, digits), a course HDF5 file, an image folder "
                    "or a .npz archive. The run (settings, history, best and last model) is "
                    "saved in the user data folder, or in --out.",
        epilog="examples: cnnexplorer train happymodel happy-faces --epochs 10 --batch-size 16\n"
               "  cnnexplorer train doornet my_faces/ --from door --freeze 6 --lr 3e-4",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("arch", metavar="ARCH", nargs="?",
                   help="architecture key, e.g. happymodel (not with --resume)")
    p.add_argument("dataset", metavar="DATASET", nargs="?",
                   help="built-in name or path (not with --resume)")
    add_setting_options(p)
    p.add_argument("--augment", default="", metavar="LIST",
                   help="comma list of mirror, crop, rotation, shear, color_shift, pca_color "
                        "(name=strength to set one), 'default' for all at the course setting")
    p.add_argument("--set", metavar="KEY=VALUE", dest="options", action="append", default=[],
                   help="an architecture option, e.g. --set filters=16 (repeatable)")
    add_image_size(p)
    p.add_argument("--from", dest="start_from", metavar="MODEL",
                   help="start from a trained model's weights instead of random ones: 'door' "
                        "(the bundled door model), a run folder or a .keras/.h5 file. The "
                        "starting model's own architecture is trained (ARCH only names it); "
                        "its head is replaced when the classes differ")
    p.add_argument("--freeze", type=int, default=0, metavar="N",
                   help="with --from: keep the first N layers fixed (default 0)")
    p.add_argument("--out", metavar="RUN_DIR",
                   help="the run folder: new or empty, or an interrupted run to resume with "
                        "the same settings")
    p.add_argument("--resume", metavar="RUN_DIR",
                   help="go on with an interrupted run from its last finished epoch, with its "
                        "own architecture, dataset and settings (this machine); --epochs N "
                        "sets its total (at least the epochs done), --distribute its devices")
    p.add_argument("--preset", choices=("plain-vs-residual",),
                   help="plain-vs-residual: train plain_net, then residual_net of the same "
                        "depth, with the Training panel's preset settings (the notes' claim; "
                        "docs/training.md); each run ends with its own final line (with "
                        "--json its run_dir and history)")
    p.add_argument("--json", action="store_true", help="JSON lines: one per epoch, then the result")
    p.set_defaults(func=run)


def _setting_type(setting: Setting):
    """An argparse type that reads one TrainConfig setting by its declaration (its one
    validator, so the message is the one the Training panel and the zoo's --set give)."""
    def read(text: str):
        try:
            return setting.parse(text)
        except ConfigError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None

    read.__name__ = setting.label  # argparse names the type in some messages
    return read


def add_setting_options(parser) -> None:
    """One option per TrainConfig setting with a flag: its default, limits and help from there.

    An option not given parses as None: `config_from_args` fills it from the recommendation
    for the architecture and dataset (the Training panel's settings), else the default."""
    for name, (setting, default) in TrainConfig.settings().items():
        if setting.flag:
            range_note = "" if setting.choices else f"; {setting.range_text()}"
            parser.add_argument(setting.flag, dest=name, type=_setting_type(setting),
                                default=None, metavar=setting.metavar,
                                help=f"{setting.help or setting.label} (default {default}, or "
                                     f"the recommended setting{range_note})")


def config_from_args(args, train_images: int | None = None):
    """(TrainConfig, the StartingSettings used or None): the settings given on the command
    line; for the others, what `recommended.starting_settings` decides (the rule the
    Training panel applies too): the recommended ones for ARCH on DATASET, else, for a small
    set of `train_images` images, the small-set settings, else TrainConfig's defaults."""
    start = starting_settings(args.arch or "", args.dataset, train_images)
    base = start.settings if start is not None else {}
    settings = {}
    for name, (setting, default) in TrainConfig.settings().items():
        if setting.flag:
            given = getattr(args, name, None)
            settings[name] = given if given is not None else base.get(name, default)
    augment = (parse_augment(args.augment) if args.augment else
               dict(base.get("augment", {})))
    return TrainConfig(**settings, augment=augment), start


def _epoch_line(e) -> str:
    m = e.metrics
    parts = [f"epoch {e.epoch + 1}/{e.epochs}", f"loss {m.get('loss', float('nan')):.4f}",
             f"accuracy {m.get('accuracy', float('nan')):.4f}"]
    if "val_loss" in m:
        parts += [f"val_loss {m['val_loss']:.4f}", f"val_accuracy {m['val_accuracy']:.4f}"]
    parts.append(f"{e.seconds:.1f} s ({e.images_per_s:.0f} images/s){'  *best' if e.best else ''}")
    return "  ".join(parts)


def _what_to_train(args):
    """(zoo entry, options, TrainConfig, dataset spec, image size, run folder) from the
    arguments, or from the run's own config.json with --resume."""
    from cnnexplorer.core.arch.zoo import registry

    if args.resume:
        if args.start_from or args.freeze:
            raise ConfigError("train --resume goes on from the run's own last model; it takes "
                              "no --from or --freeze")
        if args.arch or args.dataset:
            raise ConfigError("train --resume RUN_DIR takes the architecture and the dataset "
                              "from the run; give no ARCH or DATASET")
        from cnnexplorer.core.train.resume import resume_plan

        given = {name for name, (setting, _) in TrainConfig.settings().items()
                 if setting.flag and getattr(args, name, None) is not None}
        fixed = sorted(given - {"epochs", "distribute"})
        if fixed or args.augment or args.options or args.image_size:
            flags = [TrainConfig.settings()[name][0].flag for name in fixed] + \
                [flag for flag, value in (("--augment", args.augment), ("--set", args.options),
                                          ("--image-size", args.image_size)) if value]
            raise ConfigError(f"train --resume goes on with the run's own settings; "
                              f"{', '.join(flags)} cannot change (only --epochs, the run's "
                              f"total, and --distribute)")
        key, options, settings, spec, size = resume_plan(args.resume)
        if "distribute" in given:  # e.g. a multi-worker run finished on one machine
            settings["distribute"] = args.distribute
        if "epochs" in given:  # the run's total: at least the epochs done (checked later)
            settings["epochs"] = args.epochs
        return (registry.get(key), options, TrainConfig.from_dict(settings), spec, size,
                args.resume)
    if not args.arch or not args.dataset:
        raise ConfigError("train needs ARCH and DATASET (or --resume RUN_DIR)")
    entry = registry.get(args.arch)  # unknown names fail before the (slow) data load
    config, _ = config_from_args(args)
    options = parse_set(args.options)
    entry.config(None, None, options)  # validate the options now, with the zoo's message
    if args.freeze and not args.start_from:
        raise ConfigError(f"--freeze {args.freeze} needs --from (a model to start from)")
    return entry, options, config, args.dataset, args.image_size, args.out


def run_preset(args) -> int:
    """`train --preset plain-vs-residual`: the panel's preset, from the shell. Each network
    trains as `train ARCH DATASET` would with the preset's settings and options (a setting
    or option given on the command line wins); the exit code is the worse of the two."""
    if args.arch or args.resume or args.start_from or args.out:
        raise ConfigError("train --preset plain-vs-residual trains plain_net and residual_net "
                          "itself; give no ARCH, --resume, --from or --out (DATASET may "
                          "replace the preset's)")
    rec = PLAIN_VS_RESIDUAL
    codes = []
    for key in ("plain_net", "residual_net"):
        one = argparse.Namespace(**vars(args))
        one.arch, one.dataset, one.preset = key, args.dataset or rec.dataset, None
        given = {item.split("=", 1)[0] for item in args.options}
        one.options = [f"{k}={v}" for k, v in rec.options.items() if k not in given] + \
            list(args.options)
        # every setting not given is the preset's (else the default), so a small DATASET
        # does not get the small-set schedule and augmentation (recommended.SMALL_SET)
        for name, (setting, default) in TrainConfig.settings().items():
            if setting.flag and getattr(one, name, None) is None:
                setattr(one, name, rec.settings.get(name, default))
        if not args.augment:
            one.augment = ",".join(f"{k}={v}" for k, v in
                                   rec.settings.get("augment", {}).items()) or "none"
        codes.append(run(one))
    return max(codes)


def run(args) -> int:
    if getattr(args, "preset", None):
        return run_preset(args)
    entry, options, config, spec, image_size, run_dir = _what_to_train(args)
    if not args.resume and not args.json:
        _, start = config_from_args(args)
        rec = start.recommendation if start is not None else None
        if rec is not None:
            print(f"settings not given: the recommended ones for {rec.architecture} on "
                  f"{rec.dataset} (as the Training panel): epochs {config.epochs}, batch size "
                  f"{config.batch_size}, learning rate {config.learning_rate:g}, "
                  f"{config.optimizer}; expect {rec.expectation()}", file=sys.stdout)
    # a multi-worker strategy must exist before TensorFlow's first operation (loading may
    # resize the images with TensorFlow)
    _resolve_stoppable(resolve, config.distribute)
    dataset = load_dataset(spec, image_size=image_size)
    report_skipped(dataset, "train")  # the files left out, named (stderr)
    if not args.resume:
        config = _small_set_config(args, config, len(dataset.y_train))
    out = sys.stdout
    if getattr(args, "start_from", None):
        from cnnexplorer.core.train.fine_tune import from_model

        arch = from_model(args.start_from, dataset, args.freeze, arch=entry.key,
                          seed=config.seed)
        _say_if_the_door_saw(args.start_from, dataset.name, args.json)
        if arch.arch_info.get("judges_faces"):
            # a face judge learns from faces: every image is cut to its face first, with
            # the door's finder, and what was done is said once on stderr
            dataset, message = faces_for_model(dataset, arch.input_shape)
            print("\n".join(f"cnnexplorer train: {line}" for line in message.splitlines()),
                  file=sys.stderr, flush=True)
    else:
        arch = ArchSpec(entry.key, options)

    def on_event(e):
        if isinstance(e, EpochEnd):
            if args.json:
                d = event_to_dict(e)
                out.write(json_text({"event": "epoch", "epoch": e.epoch + 1,
                                      "epochs": e.epochs, **d["metrics"],
                                      "best": e.best}) + "\n")
            else:
                out.write(_epoch_line(e) + "\n")
            out.flush()
        elif isinstance(e, TrainStarted) and not args.json:
            out.write(f"training {e.model_name} ({e.params:,} parameters) on "
                      f"{display_text(dataset.name)}: "
                      f"{e.train_samples} images, {e.val_samples} for validation, "
                      f"{e.device}\n")
            for note in e.notes:
                out.write(f"  {note}\n")
            out.write(f"  run: {e.run_dir}\n")
            out.flush()

    stop = threading.Event()
    previous = signal.getsignal(signal.SIGINT)

    def on_sigint(signum, frame):
        stop.set()
        signal.signal(signal.SIGINT, previous)  # a second Ctrl-C interrupts at once
        print("stopping after this batch...", file=sys.stderr)

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, on_sigint)
    try:
        result = train(arch, dataset, config, on_event=on_event,
                       stop=stop, out=run_dir)
    finally:
        if threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGINT, previous)
    final = _result_fields(result, dataset, config)
    if args.json:
        out.write(json_text(final) + "\n")
    else:
        out.write(f"{result.status}: {result.message}\n")
        if "test" in final:
            out.write(f"test: loss {final['test']['loss']:.4f}  accuracy "
                      f"{final['test']['accuracy']:.4f} ({len(dataset.y_test)} images)\n")
        out.write(f"model: {final['model']}\n" if result.chief else
                  f"worker {final['worker']} of {final['workers']}: the chief's --out "
                  f"holds the run\n")
    out.flush()
    if result.status == "failed":
        print(f"cnnexplorer train: error: {result.message}", file=sys.stderr)
        return 2
    return 130 if result.status == "stopped" else 0


def _small_set_config(args, config, train_images: int):
    """The config for a small training set: what was not given from recommended.SMALL_SET
    (said once, on stdout unless --json) when no measured recommendation covers the run."""
    small, start = config_from_args(args, train_images)
    if start is None or start.recommendation is not None:
        return config
    if not args.json:
        print(f"a small set ({train_images} training images): settings not given are the "
              f"small-set ones: {start.settings_text(small)} (docs/training.md, "
              f"'Small sets')")
    return small


def _say_if_the_door_saw(start_from: str, dataset_name: str, as_json: bool) -> None:
    """Starting from the bundled door on a set it trained with: say why the score is high."""
    note = seen_by_the_door_note(dataset_name)
    if note and not as_json and resolve_start(start_from)[0] == bundled_door_model():
        print(f"note: {note}")


def _resolve_stoppable(resolve, choice: str):
    """The distribution, while a multi-worker set-up waits for the others saying so, and
    stopped by SIGTERM as by Ctrl-C (TensorFlow's C++ handler would otherwise swallow it)."""
    def terminate(signum, frame):
        raise KeyboardInterrupt

    main = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, terminate) if main else None
    try:
        return resolve(choice, on_wait=lambda text: print(f"cnnexplorer train: {text}",
                                                          file=sys.stderr, flush=True))
    finally:
        if main:
            signal.signal(signal.SIGTERM, previous)


def _result_fields(result, dataset, config) -> dict:
    """The final JSON object; a multi-worker run's other workers name no run (the chief's
    --out holds it) and evaluate nothing."""
    dist = result.distribution
    run = result.run
    model_path = run.best_model_path if run.best_model_path.exists() else run.last_model_path
    final = {"run_dir": str(run.path) if result.chief else None,
             "model": str(model_path) if result.chief else None,
             "last_model": str(run.last_model_path) if result.chief else None,
             "status": result.status, "message": result.message,
             "epochs_run": result.epochs_run, "history": result.history,
             "distribute": dist.kind, "replicas": dist.replicas, "workers": dist.workers,
             "worker": dist.worker_index}
    if dist.strategy is not None:
        from cnnexplorer.core.train.distribute import weights_digest

        final["weights_digest"] = weights_digest(result.model)
    if dataset.x_test is None or not result.history or not result.chief:
        return final
    model = result.model
    if dist.strategy is not None:
        # the saved model, outside the strategy: evaluating the distributed one would wait
        # for the other workers, which evaluate nothing
        model = run.load_model("best")
    elif result.best_weights is not None:
        model.set_weights(result.best_weights)  # test the model best.keras holds
    ev = evaluate(model, dataset, batch_size=max(config.batch_size, 64))
    final["test"] = {"loss": ev.loss, "accuracy": ev.accuracy}
    try:
        run.record_test(ev, dataset, by="train")  # the run's test accuracy (tests.json)
    except ConfigError as exc:  # the run is saved; only the record is missing
        print(f"cnnexplorer train: warning: {exc}", file=sys.stderr)
    return final
