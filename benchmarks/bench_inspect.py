"""How fast is the cost table? CNN Explorer's spec vs building the model in Keras, one run.

For ResNet-50 (ImageNet form) and VGG-16, times:
  ours   zoo build + cost_report + render_text (what `cnnexplorer inspect` does), median of N
  keras  keras.applications.X(weights=None) + model.summary(), median of M
and prints both, their ratio, and one-off costs (importing our core, importing Keras).
The goal of issue 2: ours at least 50x faster than Keras, and under 20 ms for ResNet-50.

    python benchmarks/bench_inspect.py [--repeats 50] [--keras-repeats 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from a checkout
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")

CASES = (("resnet50", "ResNet50"), ("vgg16", "VGG16"))


def _times_ms(fn, repeats: int) -> list[float]:
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return times


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=50, help="runs of ours per network")
    ap.add_argument("--keras-repeats", type=int, default=3, help="runs of Keras per network")
    args = ap.parse_args()

    t0 = time.perf_counter()
    from cnnexplorer.core.arch import zoo
    from cnnexplorer.core.arch.cost import cost_report
    from cnnexplorer.core.views.render import render_text
    import_ours_ms = (time.perf_counter() - t0) * 1000

    def ours(key):
        return render_text(cost_report(zoo.build(key)), batch_size=32)

    # The first call in a process (caches cold) and the median of all calls.
    ours_runs = {key: _times_ms(lambda k=key: ours(k), args.repeats) for key, _ in CASES}

    # The whole command in a fresh interpreter, less the interpreter's own start-up.
    root = str(Path(__file__).resolve().parent.parent)
    env = dict(os.environ, PYTHONPATH=root)

    def command(*argv):
        return lambda: subprocess.run([sys.executable, *argv], cwd=root, env=env, check=True,
                                      stdout=subprocess.DEVNULL)

    bare_ms = statistics.median(_times_ms(command("-c", "pass"), 5))
    cli_ms = statistics.median(_times_ms(command("-m", "cnnexplorer", "inspect", "resnet50"), 5))
    # Every zoo entry, the keras.applications ones from their shipped specs (no TensorFlow),
    # plus list, in one fresh interpreter (tests/test_cli*.py check the output, not the time).
    every_entry = ("import io, contextlib\n"
                   "from cnnexplorer.cli import main\n"
                   "from cnnexplorer.core.arch import zoo\n"
                   "with contextlib.redirect_stdout(io.StringIO()):\n"
                   "    assert main(['list', '--json']) == 0\n"
                   "    for e in zoo.entries():\n"
                   "        assert main(['inspect', e.key, '--json']) == 0, e.key\n")
    zoo_ms = statistics.median(_times_ms(command("-c", every_entry), 3))

    t0 = time.perf_counter()
    import keras
    import_keras_ms = (time.perf_counter() - t0) * 1000
    sink = []

    def theirs(name):
        keras.backend.clear_session()
        model = getattr(keras.applications, name)(weights=None)
        model.summary(print_fn=lambda line, **kw: sink.append(line))
        return model.count_params()

    keras_runs = {key: _times_ms(lambda n=name: theirs(n), args.keras_repeats)
                  for key, name in CASES}
    ours_ms = {k: statistics.median(v) for k, v in ours_runs.items()}
    keras_ms = {k: statistics.median(v) for k, v in keras_runs.items()}

    print(f"import cnnexplorer.core (zoo, cost, render): {import_ours_ms:8.1f} ms (once)")
    print(f"import keras (TensorFlow backend):          {import_keras_ms:8.1f} ms (once)")
    print(f"`python -m cnnexplorer inspect resnet50`:   {cli_ms:8.1f} ms "
          f"(python -c pass: {bare_ms:.1f} ms; difference {cli_ms - bare_ms:.1f} ms)")
    print(f"list + inspect --json of every zoo entry:    {zoo_ms:8.1f} ms (fresh interpreter, "
          f"keras.applications from shipped specs)")
    print()
    # "best" is the fastest run: on a machine busy with other work it is the closest to
    # the code's own cost; the goal is checked on the medians.
    print(f"{'network':<10} {'ours first':>11} {'ours median':>12} {'ours best':>10} "
          f"{'keras first':>12} {'keras median':>13} {'ratio (medians)':>16}")
    ok = True
    for key, _name in CASES:
        ratio = keras_ms[key] / ours_ms[key]
        print(f"{key:<10} {ours_runs[key][0]:>8.1f} ms {ours_ms[key]:>9.2f} ms "
              f"{min(ours_runs[key]):>7.2f} ms {keras_runs[key][0]:>9.0f} ms "
              f"{keras_ms[key]:>10.0f} ms {ratio:>15.0f}x")
        ok &= ratio >= 50
    ok &= ours_ms["resnet50"] < 20
    print()
    print(f"ours: median of {args.repeats} (zoo build + cost_report + render_text); keras: "
          f"median of {args.keras_repeats} (applications.X(weights=None) + summary())")
    print("goal (ratio >= 50x, ResNet-50 < 20 ms):", "met" if ok else "NOT met")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
