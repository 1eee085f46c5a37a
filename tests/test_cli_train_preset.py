"""`cnnexplorer train --preset plain-vs-residual`: both networks, the preset's settings, one
final line each (issue 20)."""

from __future__ import annotations

import json

import numpy as np

from cnnexplorer.cli import main


def test_the_preset_trains_plain_then_residual_with_its_settings(tmp_path, capsys,
                                                                   monkeypatch):
    from cnnexplorer.core.train import recommended

    rng = np.random.default_rng(0)
    y = np.arange(24) % 3
    np.savez(tmp_path / "d.npz", x_train=rng.integers(0, 256, (24, 16, 16, 3), dtype=np.uint8),
             y_train=y)
    # the preset's own shape, shrunk for a test: one epoch of depth-2 networks
    monkeypatch.setattr(recommended, "PLAIN_VS_RESIDUAL", recommended.Recommendation(
        "plain_net", str(tmp_path / "d.npz"),
        {"epochs": 1, "batch_size": 8, "learning_rate": 1e-3, "validation_split": 0.0,
         "augment": {}},
        expected_accuracy=None, seconds=1, measured="test", options={"depth": 2, "width": 4}))
    assert main(["train", "--preset", "plain-vs-residual", "--json"]) == 0
    finals = [json.loads(line) for line in capsys.readouterr().out.splitlines()
              if '"run_dir"' in line]
    assert len(finals) == 2
    configs = [json.loads(open(f"{f['run_dir']}/config.json").read()) for f in finals]
    assert [c["architecture"]["key"] for c in configs] == ["plain_net", "residual_net"]
    assert all(int(c["architecture"]["options"]["depth"]) == 2 for c in configs)
    assert all(len(f["history"]) == 1 for f in finals)
    # an option given on the command line wins over the preset's
    assert main(["train", "--preset", "plain-vs-residual", "--set", "width=2", "--json"]) == 0
    finals = [json.loads(line) for line in capsys.readouterr().out.splitlines()
              if '"run_dir"' in line]
    widths = [int(json.loads(open(f"{f['run_dir']}/config.json").read())["architecture"]
                  ["options"]["width"]) for f in finals]
    assert widths == [2, 2]


def test_the_preset_takes_no_architecture(capsys):
    assert main(["train", "happymodel", "--preset", "plain-vs-residual"]) == 2
    assert "give no ARCH" in capsys.readouterr().err
