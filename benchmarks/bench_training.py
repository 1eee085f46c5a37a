"""Training throughput of the engine vs plain `model.fit`, GUI-thread stalls, and transfer
learning with cached activations. Everything measured in one run on this machine.

    python benchmarks/bench_training.py            # HappyModel + course ResNet-50
    python benchmarks/bench_training.py --quick    # HappyModel only, fewer epochs

Throughput is images per second over the epochs after the first (which traces the graph),
timed from epoch begin to epoch end in every path, with no validation split, the same model
(same spec, same seed), the same images and the same batch size:
- plain: `model.fit(x, y, batch_size, epochs, verbose=0)`, nothing else;
- CLI: `cnnexplorer train ... --json` in a subprocess (the epoch seconds it prints);
- GUI worker: the Training panel's Start, its QThread worker, events to the live curves.
While the panel trains ResNet-50, a 10 ms QTimer in the GUI thread records how late it fires.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np  # noqa: E402


def subset(ds, n, seed=0):
    from cnnexplorer.core.data.base import Dataset

    idx = np.random.default_rng(seed).permutation(len(ds.y_train))[:n]
    return Dataset(f"{ds.name}-{n}", list(ds.class_names), ds.x_train[idx], ds.y_train[idx],
                   source=ds.source)


def plain_fit(arch_key, ds, batch, epochs, seed=0):
    """Plain Keras: the same spec model, compiled the same way, fit on the same floats."""
    import keras

    from cnnexplorer.core.keras.build import build_keras_model
    from cnnexplorer.core.arch.zoo import registry

    binary = ds.num_classes == 2
    net = registry.get(arch_key).network(ds.input_shape, 1 if binary else ds.num_classes)
    model = build_keras_model(net, seed=seed)
    model.compile(optimizer=keras.optimizers.Adam(1e-3),
                  loss="binary_crossentropy" if binary else "sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    x = ds.x_train.astype(np.float32) / 255
    y = ds.y_train.astype(np.float32).reshape(-1, 1) if binary else ds.y_train

    class EpochTimer(keras.callbacks.Callback):  # epoch hooks only: fit stays on its fast path
        def __init__(self):
            super().__init__()
            self.seconds = []

            self.cpu_marks = []

        def on_epoch_begin(self, epoch, logs=None):
            self.t0 = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):
            self.seconds.append(time.perf_counter() - self.t0)
            self.cpu_marks.append(time.process_time())

    timer = EpochTimer()
    model.fit(x, y, batch_size=batch, epochs=epochs, verbose=0, shuffle=True,
              callbacks=[timer])
    return timer.seconds, timer.cpu_marks


class _MarkingStdout:
    """Stands in for stdout during an in-process `cnnexplorer train --json`: notes the
    process CPU time when each epoch line is printed."""

    def __init__(self):
        self.lines, self.cpu_marks = [], []

    def write(self, text):
        if text.startswith('{"event": "epoch"'):
            self.cpu_marks.append(time.process_time())
        self.lines.append(text)

    def flush(self):
        pass


def cli_cpu(arch_key, ds, batch, epochs, tmp, rep=0):
    """The CLI's code path in this process (same `main`), for CPU time per image."""
    import contextlib

    from cnnexplorer.cli import main as cli_main
    from cnnexplorer.core.data import save_npz

    path = os.path.join(tmp, f"{ds.name}.npz")
    if not os.path.exists(path):
        save_npz(ds, path, compress=False)
    out = _MarkingStdout()
    with contextlib.redirect_stdout(out):
        rc = cli_main(["train", arch_key, path, "--epochs", str(epochs), "--batch-size",
                       str(batch), "--validation-split", "0", "--json", "--out",
                       os.path.join(tmp, f"cli-inproc-{arch_key}-{rep}")])
    if rc != 0:
        raise SystemExit(f"in-process CLI failed with {rc}")
    return out.cpu_marks


def cli_fit(arch_key, ds, batch, epochs, tmp, rep=0):
    from cnnexplorer.core.data import save_npz

    path = save_npz(ds, os.path.join(tmp, f"{ds.name}.npz"), compress=False)
    out = subprocess.run([sys.executable, "-m", "cnnexplorer", "train", arch_key, str(path),
                          "--epochs", str(epochs), "--batch-size", str(batch),
                          "--validation-split", "0", "--json",
                          "--out", os.path.join(tmp, f"cli-{arch_key}-{rep}")],
                         capture_output=True, text=True, env=dict(os.environ))
    if out.returncode != 0:
        raise SystemExit(f"CLI failed: {out.stderr[-2000:]}")
    lines = [json.loads(line) for line in out.stdout.splitlines() if line.startswith("{")]
    return [d["seconds"] for d in lines if d.get("event") == "epoch"]


_PANEL = {}


def gui_fit(arch_key, ds, batch, epochs, measure_stalls=False):
    """Train through the Training panel (worker thread) while the GUI event loop runs;
    optionally time a 10 ms QTimer in the GUI thread."""
    from PySide6.QtCore import QElapsedTimer, QEventLoop, QTimer
    from PySide6.QtWidgets import QApplication

    from cnnexplorer.core.train.events import EpochEnd, TrainStarted
    from cnnexplorer.core.train.config import TrainConfig
    from cnnexplorer.gui.training.panel import TrainingPanel
    from cnnexplorer.gui.pyside_check import require
    from cnnexplorer.gui.session import ArchitectureChoice, Session

    require()  # as gui/app.py does: not PySide6 6.12 on Python 3.11
    app = QApplication.instance() or QApplication([])
    if "panel" not in _PANEL:  # one window for the whole benchmark, as a user would have
        session = Session()
        panel = TrainingPanel(session)
        panel.resize(1400, 850)
        panel.show()
        _PANEL.update(panel=panel, session=session)
    panel, session = _PANEL["panel"], _PANEL["session"]
    session.set_architecture(ArchitectureChoice(arch_key))
    session.set_dataset(ds)
    seconds, lateness, cpu_marks = [], [], []
    state = {"training": False, "epoch": 0}

    def on_event(e):
        if isinstance(e, TrainStarted):
            state["training"] = True
        elif isinstance(e, EpochEnd):
            seconds.append(e.seconds)
            cpu_marks.append(time.process_time())
            state["epoch"] += 1

    panel.event_received.connect(on_event)
    clock = QElapsedTimer()
    clock.start()
    last = [clock.nsecsElapsed()]

    def tick():
        now = clock.nsecsElapsed()
        if state["training"]:
            lateness.append(((now - last[0]) / 1e6 - 10.0, state["epoch"]))
        last[0] = now

    timer = QTimer()
    timer.setInterval(10)
    timer.timeout.connect(tick)
    if measure_stalls:
        timer.start()
    loop = QEventLoop()
    panel.start_training(TrainConfig(epochs=epochs, batch_size=batch, validation_split=0))
    panel.worker.finished.connect(loop.quit)
    loop.exec()  # the GUI thread idles in Qt's event loop, as in the app
    app.processEvents()
    timer.stop()
    panel.event_received.disconnect(on_event)
    _PANEL["cpu_marks"] = cpu_marks
    return seconds, np.array(lateness).reshape(-1, 2)


def cpu_rate(n_images, marks):
    """Images per CPU-second of this process (all threads, GUI included) between the end
    of epoch 1 and the end of the last epoch: overhead shows up even when other processes
    on a shared machine make wall-clock rates swing by 2x."""
    return n_images * (len(marks) - 1) / (marks[-1] - marks[0])


def rate(n_images, seconds):
    steady = seconds[1:] if len(seconds) > 1 else seconds
    return n_images * len(steady) / sum(steady)


def throughput(arch_key, ds, batch, epochs, tmp, stalls=False, reps=3):
    n = len(ds.y_train)
    print(f"\n{arch_key}: {n} images {ds.input_shape}, batch {batch}, {epochs} epochs "
          f"(first not counted)", flush=True)
    rows, cpu = {}, {}
    lat = None
    # interleaved `reps` times (best of each kept), so background load on a shared machine
    # hits every path alike
    for rep in range(reps):
        sec, marks = plain_fit(arch_key, ds, batch, epochs)
        rows.setdefault("plain model.fit", []).append(rate(n, sec))
        cpu.setdefault("plain model.fit", []).append(cpu_rate(n, marks))
        rows.setdefault("CLI (cnnexplorer train)", []).append(
            rate(n, cli_fit(arch_key, ds, batch, epochs, tmp, rep)))
        cpu.setdefault("CLI (cnnexplorer train)", []).append(
            cpu_rate(n, cli_cpu(arch_key, ds, batch, epochs, tmp, rep)))
        s, la = gui_fit(arch_key, ds, batch, epochs, measure_stalls=stalls)
        rows.setdefault("GUI worker (Training panel)", []).append(rate(n, s))
        cpu.setdefault("GUI worker (Training panel)", []).append(
            cpu_rate(n, _PANEL["cpu_marks"]))
        lat = la if lat is None else np.concatenate([lat, la])
    print("  wall clock (other processes share the 2 cores: expect swings):")
    base = max(rows["plain model.fit"])
    for name, values in rows.items():
        best = max(values)
        print(f"    {name:28s} {best:8.1f} images/s  ratio {best / base:.3f}  "
              f"(runs: {', '.join(f'{v:.1f}' for v in values)})", flush=True)
    print("  per CPU-second of this process (all its threads; the CLI path run in-process):")
    base_cpu = np.median(cpu["plain model.fit"])
    for name, values in cpu.items():
        med = float(np.median(values))
        print(f"  {name:30s} {med:8.1f} images/CPU-s  ratio {med / base_cpu:.3f}  "
              f"(runs: {', '.join(f'{v:.1f}' for v in values)})", flush=True)
    if stalls and lat is not None and len(lat):
        for name, sel in (("whole run", lat[:, 0]), ("after epoch 1 (graph traced)",
                                                      lat[lat[:, 1] >= 1, 0])):
            if len(sel):
                print(f"  GUI thread, {name}: 10 ms QTimer lateness p50 "
                      f"{np.percentile(sel, 50):.1f} ms, p99 {np.percentile(sel, 99):.1f} ms, "
                      f"max {sel.max():.1f} ms over {len(sel)} ticks", flush=True)
    return rows


def transfer_bench(ds, epochs=3):
    from cnnexplorer.core.train import transfer
    from cnnexplorer.core.keras.build import build_keras_model
    from cnnexplorer.core.train.config import TrainConfig
    from cnnexplorer.core.arch.zoo import registry

    net = registry.build("resnet50_course", input_shape=ds.input_shape, classes=6)
    base = build_keras_model(net, seed=0)
    cfg = TrainConfig(epochs=epochs, batch_size=32, validation_split=0)
    print(f"\ntransfer learning, course ResNet-50 on {len(ds.y_train)} images, every block "
          f"frozen, head trains ({epochs} epochs, first not counted)", flush=True)
    tm = transfer.build_transfer_model(base, ds, len(transfer.model_blocks(base, net)), net)
    plain, _ = transfer.train_transfer(tm, ds, cfg, cache=False)
    tm2 = transfer.build_transfer_model(base, ds, len(transfer.model_blocks(base, net)), net)
    t0 = time.perf_counter()
    cached, feats = transfer.train_transfer(tm2, ds, cfg, cache=True)
    total_cached = time.perf_counter() - t0
    up = np.mean([h["seconds"] for h in plain.history[1:]])
    cp = np.mean([h["seconds"] for h in cached.history[1:]])
    print(f"  uncached: {up:.3f} s per epoch; cached: {cp:.4f} s per epoch -> "
          f"{up / cp:.0f}x faster", flush=True)
    print(f"  building the cache (one forward pass, HDF5 write): {feats.build_seconds:.1f} s; "
          f"whole cached run {total_cached:.1f} s", flush=True)
    print(f"  final training accuracy: uncached {plain.history[-1]['accuracy']:.3f}, cached "
          f"{cached.history[-1]['accuracy']:.3f}", flush=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--skip-transfer", action="store_true")
    args = ap.parse_args()
    from cnnexplorer.core.data import load_dataset
    from cnnexplorer.core.keras.device import configure

    print(f"device: {configure().describe()}", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["CNNEXPLORER_HOME"] = tmp
        happy = load_dataset("happy-faces")
        throughput("happymodel", happy, 16, 4 if args.quick else 6, tmp)
        if args.quick:
            return
        signs = subset(load_dataset("hand-signs"), 320)
        throughput("resnet50_course", signs, 32, 3, tmp, stalls=True, reps=2)
        if not args.skip_transfer:
            transfer_bench(signs)
    _PANEL.get("panel") and _PANEL["panel"].shutdown()
    os._exit(0)  # skip interpreter teardown of Qt and TensorFlow objects (nothing to save)


if __name__ == "__main__":
    main()
