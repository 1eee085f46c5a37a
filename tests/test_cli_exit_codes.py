"""Bad values are our error (exit 2, one line), never "internal error" or a silent
replacement (issue 19's defects on the training side)."""

import os

import pytest

from cnnexplorer.cli import main


@pytest.mark.parametrize("argv, named", [
    (["evaluate", "x.keras", "happy-faces", "--batch-size", "0"], "must be a positive integer"),
    (["evaluate", "x.keras", "happy-faces", "--batch-size", "-7"], "must be a positive integer"),
    (["inspect", "lenet5", "--batch", str(10**400)], "must be at most 65,536"),
    (["compare", "lenet5", "alexnet", "--batch", "70000"], "must be at most 65,536")])
def test_batch_sizes_out_of_range_are_refused(argv, named, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert named in err and len(err.strip().splitlines()) == 1


def test_ctrl_c_while_a_command_starts_says_interrupted(capsys, monkeypatch):
    import cnnexplorer.commands.inspect as inspect_cmd

    def interrupted(args):
        raise KeyboardInterrupt

    monkeypatch.setattr(inspect_cmd, "run", interrupted)
    assert main(["inspect", "lenet5"]) == 130
    assert capsys.readouterr().err.strip() == "cnnexplorer inspect: interrupted"


def test_ctrl_c_during_the_tensorflow_import_replays_no_chatter(capfd):
    """The import's captured C++ lines are replayed when the import fails, not on Ctrl-C."""
    from cnnexplorer.core.keras.quiet import _CapturedLoader

    class Loader:
        def exec_module(self, module):
            os.write(2, b"I0000 oneDNN custom operations are on\n")
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        _CapturedLoader(Loader()).exec_module(None)
    assert "oneDNN" not in capfd.readouterr().err
