"""`cnnexplorer list` and `cnnexplorer inspect`: output, JSON shape, errors, and no TensorFlow."""

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from cnnexplorer.cli import main
from cnnexplorer.commands.arg_types import parse_input_shape, parse_set
from cnnexplorer.core.arch import zoo
from cnnexplorer.core.errors import ConfigError

ROOT = Path(__file__).resolve().parent.parent


# Every entry at its default configuration is TensorFlow-free and instant: keras.applications
# entries load their shipped specs (resources/app_specs/).
ENTRIES = zoo.entries()
ALL_ENTRIES = zoo.entries()


def run_cli(capsys, *argv):
    rc = main(list(argv))
    out, err = capsys.readouterr()
    return rc, out, err


def inspect_json(capsys, *argv):
    rc, out, err = run_cli(capsys, "inspect", *argv, "--json")
    assert rc == 0, err
    return json.loads(out)


# -- list ----------------------------------------------------------------------------------------

def test_list_text_names_every_entry_with_its_options(capsys):
    rc, out, err = run_cli(capsys, "list")
    assert rc == 0 and err == ""
    for e in ALL_ENTRIES:
        line = next(ln for ln in out.splitlines() if ln.split()[:1] == [e.key])
        assert e.title in line and "x".join(map(str, e.default_input)) in line
        for o in e.options:
            assert f"{o.key}=" in out
    assert f"{len(ALL_ENTRIES)} architectures" in out


def test_list_json(capsys):
    rc, out, _ = run_cli(capsys, "list", "--json")
    data = json.loads(out)
    assert rc == 0 and [d["key"] for d in data] == [e.key for e in ALL_ENTRIES]
    by_key = {d["key"]: d for d in data}
    r50 = by_key["resnet50"]
    assert r50["default_input"] == [224, 224, 3] and r50["default_classes"] == 1000
    assert r50["description"] and "resnet-50" in r50["aliases"]
    pooling = next(o for o in r50["options"] if o["key"] == "pooling")
    assert pooling["kind"] == "choice" and pooling["choices"] == ["global_avg", "avg7"]


# -- inspect: JSON shape and figures -------------------------------------------------------------

ISSUE_LAYER_KEYS = {"name": str, "type": str, "block": str, "output_shape": list, "params": int,
                    "trainable_params": int, "macs": int}
ISSUE_TOTAL_KEYS = ("params", "trainable_params", "non_trainable_params", "macs", "flops")


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: e.key)
def test_inspect_json_has_the_issue_shape_for_every_entry(capsys, entry):
    data = inspect_json(capsys, entry.key)
    assert data["architecture"] == entry.key
    assert data["input_shape"] == list(entry.default_input)
    assert data["classes"] == entry.default_classes
    assert data["layers"], entry.key
    for layer in data["layers"]:
        for key, typ in ISSUE_LAYER_KEYS.items():
            assert isinstance(layer[key], typ), (entry.key, layer["name"], key)
        assert all(isinstance(d, int) for d in layer["output_shape"])
    t = data["totals"]
    assert all(isinstance(t[k], int) for k in ISSUE_TOTAL_KEYS)
    assert t["params"] == sum(la["params"] for la in data["layers"])
    assert t["trainable_params"] == sum(la["trainable_params"] for la in data["layers"])
    assert t["params"] == t["trainable_params"] + t["non_trainable_params"]
    assert t["macs"] == sum(la["macs"] for la in data["layers"]) and t["flops"] == 2 * t["macs"]
    assert data["training_memory"]["batch_size"] == 32


def test_inspect_json_reference_figures(capsys):
    r50 = inspect_json(capsys, "resnet50")["totals"]
    assert (r50["params"], r50["macs"]) == (25_636_712, 3_857_973_248)
    course = inspect_json(capsys, "resnet50_course")
    assert course["totals"]["params"] == 23_600_006 and course["classes"] == 6
    assert course["layers"][-1]["name"] == "fc6" and course["layers"][-1]["output_shape"] == [6]
    assert inspect_json(capsys, "happymodel")["totals"]["params"] == 37_633


def test_inspect_configuration_reaches_the_network(capsys):
    data = inspect_json(capsys, "resnet50", "--input", "128x128x3", "--classes", "10",
                        "--set", "width=0.5", "--batch", "8")
    assert data["input_shape"] == [128, 128, 3] and data["classes"] == 10
    assert data["options"] == {"width": 0.5, "pooling": "global_avg"}
    assert data["layers"][-1]["output_shape"] == [10]
    conv1 = next(la for la in data["layers"] if la["name"] == "conv1")
    assert conv1["output_shape"] == [64, 64, 32]  # half the filters, half the input
    assert data["training_memory"]["batch_size"] == 8
    full = inspect_json(capsys, "resnet50", "--input", "128x128x3", "--classes", "10")
    assert data["totals"]["params"] < full["totals"]["params"] / 3


def test_inspect_text_table(capsys):
    rc, out, err = run_cli(capsys, "inspect", "happymodel", "--batch", "16")
    assert rc == 0 and err == ""
    lines = out.splitlines()
    assert lines[0].startswith("HappyModel (Happy House) [happymodel]: input 64x64x3")
    conv0 = next(ln for ln in lines if ln.strip().startswith("conv0"))
    assert conv0.split()[-5:] == ["64x64x32", "4,736", "19,267,584", "99.8%", "7x7"]
    assert any(ln.startswith("= conv total") and "4,864" in ln for ln in lines)
    assert "37,633 (trainable 37,569; non-trainable 64)" in out
    assert "FLOPs:" in out and "38,600,704" in out and "Training memory, batch 16" in out
    assert "1 MAC = one multiply + one add" in out


def test_inspect_markdown_and_csv(capsys):
    rc, md, _ = run_cli(capsys, "inspect", "lenet5", "--set", "variant=modern", "--markdown")
    assert rc == 0 and md.startswith("### LeNet-5") and "| Block | Layer |" in md
    assert "61,706" in md and "416,520" in md
    rc, out, _ = run_cli(capsys, "inspect", "lenet5", "--set", "variant=modern", "--csv",
                         "--no-subtotals")
    lines = out.splitlines()
    assert rc == 0 and lines[0].startswith("kind,name,block,type")
    assert {ln.split(",")[0] for ln in lines[1:]} == {"layer", "total"}
    assert lines[-1].split(",")[6] == "61706"


# -- inspect: errors are one line on stderr, exit 2 ----------------------------------------------

@pytest.mark.parametrize("argv, needles", [
    (["inspect", "resnet51"], ["unknown architecture", "'resnet51'", "resnet50"]),
    (["inspect", "resnet50", "--input", "64x64"], ["input shape", "'64x64'"]),
    (["inspect", "resnet50", "--input", "axbxc"], ["input shape", "'axbxc'"]),
    (["inspect", "resnet50", "--input", "0x64x3"], ["input shape", "'0x64x3'"]),
    (["inspect", "resnet50", "--set", "depth=3"], ["no option 'depth'", "width"]),
    (["inspect", "resnet50", "--set", "width=wide"], ["width", "'wide'"]),
    (["inspect", "resnet50", "--set", "pooling=max"], ["pooling", "'max'"]),
    (["inspect", "resnet50", "--set", "width"], ["KEY=VALUE", "'width'"]),
    (["inspect", "resnet50_course", "--input", "32x32x3"], ["avg_pool", "too small"]),
    (["inspect", "vgg16", "--input", "16x16x3"], ["block5_pool", "too small"]),
    (["inspect", "resnet50", "--classes", "0"], ["--classes", "'0'"]),
    (["inspect", "resnet50", "--batch", "many"], ["--batch", "'many'"]),
    (["inspect", "resnet50", "--json", "--csv"], ["--csv", "--json"]),
    (["inspect"], ["ARCH"]),
    (["nosuchcommand"], ["nosuchcommand"]),
])
def test_inspect_errors_are_one_line_exit_2(capsys, argv, needles):
    rc, out, err = run_cli(capsys, *argv)
    assert rc == 2 and out == ""
    assert len(err.strip().splitlines()) == 1, err
    assert "Traceback" not in err
    for needle in needles:
        assert needle in err, (needle, err)


@pytest.mark.parametrize("entry", [e for e in ALL_ENTRIES if e.options], ids=lambda e: e.key)
def test_every_option_rejects_a_bad_value_by_name(capsys, entry):
    for o in entry.options:
        rc, _, err = run_cli(capsys, "inspect", entry.key, "--set", f"{o.key}=bogus")
        assert rc == 2 and o.key in err and "'bogus'" in err, err


# -- the parsers of what a user types (commands/arg_types) ----------------------------------------------------------------------------------

@pytest.mark.parametrize("text, shape", [
    ("64x64x3", (64, 64, 3)), ("224X224X3", (224, 224, 3)), (" 32 x 32 x 1 ", (32, 32, 1)),
    ("28,28,192", (28, 28, 192)),
])
def test_parse_input_shape_accepts(text, shape):
    assert parse_input_shape(text) == shape


@pytest.mark.parametrize("text", ["64x64", "axbxc", "0x64x3", "64x64x3x1", "", "64x-1x3",
                                  "64.5x64x3", "x64x3"])
def test_parse_input_shape_rejects_with_the_value(text):
    with pytest.raises(ConfigError) as err:
        parse_input_shape(text)
    assert repr(text) in str(err.value)
    assert "HxWxC" in str(err.value).replace(" ", "")


def test_parse_set():
    assert parse_set(["width=0.5", " pooling = avg7 "]) == {"width": "0.5", "pooling": "avg7"}
    assert parse_set(None) == {}
    assert parse_set(["expr=a=b"]) == {"expr": "a=b"}  # only the first '=' splits


@pytest.mark.parametrize("items, needle", [
    (["width"], "no '='"), (["=3"], "no key"), (["width="], "no value"),
    (["width=1", "width=2"], "set twice"), (["dropout=nan"], "finite"),
    (["width=inf"], "finite"), (["width=-Infinity"], "finite"),
])
def test_parse_set_rejects(items, needle):
    with pytest.raises(ConfigError, match=needle):
        parse_set(items)




def strict_json(text: str):
    """json.loads that refuses NaN/Infinity tokens, as JSON.parse and jq do."""
    def refuse(token):
        raise ValueError(f"not strict JSON: {token}")
    return json.loads(text, parse_constant=refuse)


@pytest.mark.parametrize("argv, needle", [
    (["inspect", "alexnet", "--set", "dropout=nan", "--json"], "dropout"),
    (["inspect", "resnet50", "--set", "width=nan"], "width"),
    (["inspect", "resnet50", "--set", "width=inf", "--json"], "width"),
    (["inspect", "resnet50", "--set", "width=0.5", "--set", "width=0.25"], "set twice"),
    (["inspect", "resnet50", "--set", "width="], "no value"),
    (["predict", "--threshold", "nan", "x.png"], "finite"),
])
def test_non_finite_duplicate_and_empty_values_are_refused_at_parse_time(capsys, argv, needle):
    rc, out, err = run_cli(capsys, *argv)
    assert rc == 2 and out == "" and needle in err and "internal error" not in err, err


def test_json_outputs_are_strict_json(capsys):
    for argv in (["list"], ["inspect", "alexnet", "--set", "dropout=0.25"],
                 ["inspect", "googlenet"]):
        rc, out, err = run_cli(capsys, *argv, "--json")
        assert rc == 0, err
        strict_json(out)


def test_json_text_writes_non_finite_numbers_as_null():
    from cnnexplorer.commands.json_output import json_text

    data = {"loss": float("nan"), "history": [{"loss": float("inf")}, {"loss": 0.5}]}
    assert strict_json(json_text(data)) == {"loss": None,
                                            "history": [{"loss": None}, {"loss": 0.5}]}


# -- in a fresh interpreter: no TensorFlow, Keras or Qt; fast; python -m works -------------------

def _python(code: str, *args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code), *args], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=120)


def test_cli_commands_never_import_tensorflow_keras_or_qt():
    proc = _python("""
        import io, sys, contextlib
        from cnnexplorer.cli import main
        from cnnexplorer.core.arch import zoo
        for argv in (["inspect", "resnet50"], ["inspect", "vgg16", "--json"], ["list"],
                     ["list", "--json"], ["inspect", "googlenet", "--markdown"],
                     ["inspect", "nope"], *(["inspect", e.key] for e in zoo.entries())):
            with contextlib.redirect_stdout(io.StringIO()), \\
                    contextlib.redirect_stderr(io.StringIO()):
                rc = main(argv)
            assert rc == (2 if "nope" in argv else 0), (argv, rc)
        heavy = sorted(m for m in sys.modules if m.split(".")[0] in
                       ("tensorflow", "keras", "PySide6", "shiboken6", "pyqtgraph", "h5py"))
        assert not heavy, heavy
    """)
    assert proc.returncode == 0, proc.stderr  # how fast: benchmarks/bench_inspect.py


def test_python_m_cnnexplorer_help_and_errors():
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    help_ = subprocess.run([sys.executable, "-m", "cnnexplorer", "--help"], cwd=ROOT, env=env,
                           capture_output=True, text=True, timeout=60)
    assert help_.returncode == 0 and "inspect" in help_.stdout and "list" in help_.stdout
    bad = subprocess.run([sys.executable, "-m", "cnnexplorer", "inspect", "resnet50", "--input",
                          "64x64"], cwd=ROOT, env=env, capture_output=True, text=True,
                         timeout=60)
    assert bad.returncode == 2 and bad.stdout == ""
    assert bad.stderr.count("\n") == 1 and "'64x64'" in bad.stderr


def test_a_reader_that_leaves_early_gets_no_traceback():
    """`cnnexplorer inspect resnet50 --json | head -1`: the pipe closes mid-output."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.Popen([sys.executable, "-m", "cnnexplorer", "inspect", "resnet50",
                             "--json"], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    assert proc.stdout.read(1) == b"{"
    proc.stdout.close()
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=60) == 0 and "Traceback" not in err and err == "", err


def test_an_unexpected_exception_is_one_line_unless_debugging(capsys, monkeypatch):
    import cnnexplorer.commands.inspect as inspect_cmd

    def broken(args):
        raise RuntimeError("something the code did not expect")

    monkeypatch.setattr(inspect_cmd, "run", broken)
    monkeypatch.delenv("CNNEXPLORER_DEBUG", raising=False)
    rc, out, err = run_cli(capsys, "inspect", "resnet50")
    assert rc == 1 and out == "" and len(err.strip().splitlines()) == 1
    assert "internal error: RuntimeError: something the code did not expect" in err
    assert "CNNEXPLORER_DEBUG=1" in err
    monkeypatch.setenv("CNNEXPLORER_DEBUG", "1")
    with pytest.raises(RuntimeError):
        main(["inspect", "resnet50"])


def test_inspect_a_photo_says_it_is_an_image_not_an_unknown_architecture(capsys):
    from cnnexplorer.cli import main

    assert main(["inspect", "photo.jpg"]) == 2
    err = capsys.readouterr().err.strip()
    assert "photo.jpg: an image, not an architecture" in err and "unknown" not in err
    assert len(err.splitlines()) == 1
