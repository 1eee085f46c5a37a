"""Issue 19's hostile files through the command line: exit 2 with one line naming the file,
no hang, nothing built."""

from __future__ import annotations

import os
import threading

import numpy as np
import pytest
from hostile_round2 import external_storage_h5, jpeg_scan_bomb, keras_declaring

from cnnexplorer.cli import main


def _run(capsys, *argv):
    rc = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return rc, out, err


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_train_on_hdf5_stored_in_a_fifo_exits_2_at_once(tmp_path, capsys):
    pipe = tmp_path / "fifo"
    os.mkfifo(pipe)
    path = external_storage_h5(tmp_path / "f.h5", pipe, count=20)
    done = {}

    def run():
        done["result"] = _run(capsys, "train", "happymodel", path, "--out", tmp_path / "run")

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(300)
    if thread.is_alive():  # before the fix: blocked on the FIFO forever (repro #2, rc 124)
        with open(pipe, "wb") as writer:
            writer.write(bytes(20 * 48))
        thread.join(60)
        pytest.fail("train blocked on the named pipe behind the HDF5 file")
    rc, _out, err = done["result"]
    assert rc == 2 and "Traceback" not in err
    assert f"{path}: key 'train_set_x' keeps its data in other files" in err
    assert not (tmp_path / "run" / "last.keras").exists()


def test_inspect_a_declared_shape_bomb_exits_2(tmp_path, capsys):
    path = keras_declaring(tmp_path / "bomb.keras", units=8000)
    rc, out, err = _run(capsys, "inspect", path)
    assert rc == 2 and out == ""
    assert "declares 98,312,000 weights" in err and len(err.strip().splitlines()) == 1


def test_predict_a_scan_bomb_says_so_and_goes_on(tmp_path, capsys):
    from PIL import Image

    bomb = tmp_path / "bomb.jpg"
    bomb.write_bytes(jpeg_scan_bomb(150))
    good = tmp_path / "good.png"
    Image.fromarray(np.full((64, 64, 3), 128, np.uint8)).save(good)
    rc, out, err = _run(capsys, "predict", bomb, good, "--no-face-finding")
    assert rc == 2
    assert "bomb.jpg: a progressive JPEG with more than" in err
    assert "good.png" in out
