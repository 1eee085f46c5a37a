"""A longer monkey: seeded random sequences of user actions on the real window (issue 17).

    python benchmarks/bench_monkey.py [--seeds 1 2 3] [--actions 500] [--driver auto]

Each seed runs tests/gui/monkey_app.py's `random` scenario in its own process (a crash is a
failed seed, with its faulthandler trace), then prints one line per seed: the steps done, the
seconds, and the failure if any. Run it under Xvfb with the xcb platform for real X events
(docs/gui.md, "The monkey"); offscreen it sends QTest events. Exit status 1 if a seed failed.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

APP = Path(__file__).resolve().parent.parent / "tests" / "gui" / "monkey_app.py"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--actions", type=int, default=500)
    parser.add_argument("--driver", default="auto", choices=("auto", "xdotool", "qtest"))
    args = parser.parse_args()
    failed = 0
    for seed in args.seeds:
        with tempfile.TemporaryDirectory(prefix="monkey-bench-") as home:
            report = Path(home) / "report.json"
            proc = subprocess.run(
                [sys.executable, str(APP), "random", "--seed", str(seed), "--actions",
                 str(args.actions), "--driver", args.driver, "--report", str(report)],
                env=dict(os.environ, CNNEXPLORER_HOME=home), capture_output=True, text=True)
            result = json.loads(report.read_text()) if report.exists() else {}
        ok = proc.returncode == 0
        failed += not ok
        print(f"seed {seed}: exit {proc.returncode}, {result.get('steps', '?')} steps in "
              f"{result.get('seconds', '?')} s, driver {result.get('driver', '?')}"
              + ("" if ok else f"\n  failure: {result.get('failure')}\n  stderr: "
                 f"{proc.stderr[-1500:]}"), flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
