"""`cnnexplorer inspect` on keras.applications entries reads the shipped specs: no TensorFlow,
and the same totals as Keras' count_params() (REFERENCE.md, docs/import.md)."""

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

#: Keras' count_params() at the default configuration (docs/import.md, REFERENCE.md for
#: MobileNet and InceptionV3) and MACs by the project's convention (docs/import.md)
KERAS_PARAMS = {"mobilenet": 4_253_864, "mobilenetv2": 3_538_984, "inceptionv3": 23_851_784,
                "resnet50v2": 25_613_800, "densenet121": 8_062_504,
                "efficientnetb0": 5_330_571, "xception": 22_910_480}


def test_inspect_applications_never_imports_tensorflow():
    code = textwrap.dedent("""
        import io, json, sys, contextlib
        from cnnexplorer.cli import main
        out = {}
        for key in %r:
            buf = io.StringIO()
            with contextlib.redirect_stdout(buf):
                assert main(["inspect", key, "--json"]) == 0, key
            out[key] = json.loads(buf.getvalue())["totals"]
        buf = io.StringIO()
        with contextlib.redirect_stdout(buf):
            assert main(["inspect", "densenet121"]) == 0
        assert "conv5_block16" in buf.getvalue()
        heavy = sorted(m for m in sys.modules if m.split(".")[0] in ("tensorflow", "keras"))
        print(json.dumps({"totals": out, "heavy": heavy}))
    """ % (list(KERAS_PARAMS),))
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    assert result["heavy"] == []
    for key, params in KERAS_PARAMS.items():
        assert result["totals"][key]["params"] == params, key
    assert result["totals"]["mobilenet"]["macs"] == 568_740_352  # 568.7 M in docs/import.md
    assert round(result["totals"]["densenet121"]["macs"] / 1e6, 1) == 2834.2
    # how fast (milliseconds, against seconds for Keras): benchmarks/bench_inspect.py
