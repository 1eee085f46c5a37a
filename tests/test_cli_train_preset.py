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


def _preset_network(options, input_shape=(64, 64, 3)):
    from cnnexplorer.core.arch.zoo import registry

    return {node.name: node.output_shape for node in
            registry.get("plain_net").network(input_shape, 6, options).nodes}


def test_the_cli_trains_the_measured_preset(tmp_path, capsys, monkeypatch):
    """The settings docs/training.md measured (issue 20) are what `train --preset` trains:
    hand-signs, 20 epochs, batch 16, Adam 3e-3, no validation split, depth 20, width 16, and
    the stem's stride 2, so the blocks work at 16x16 (32x32 after the stem's conv)."""
    from dataclasses import replace

    from cnnexplorer.commands import train as train_command
    from cnnexplorer.core.arch.zoo import registry
    from cnnexplorer.core.data.base import Dataset
    from cnnexplorer.core.keras.model_setup import ArchSpec

    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, (12, 64, 64, 3), dtype=np.uint8)
    loaded, trained = [], []

    def load(spec, image_size=None):
        loaded.append((spec, image_size))
        return Dataset(spec, [str(c) for c in range(6)], images, np.arange(12) % 6)

    real_train = train_command.train

    def train_small(arch, dataset, config, **kw):
        # what the preset asked for is recorded; a network of one block trains one epoch
        trained.append((arch, config))
        return real_train(ArchSpec(arch.key, {**arch.options, "depth": 1, "width": 2}),
                          dataset, replace(config, epochs=1), **kw)

    monkeypatch.setattr(train_command, "load_dataset", load)
    monkeypatch.setattr(train_command, "train", train_small)
    assert main(["train", "--preset", "plain-vs-residual", "--json"]) == 0
    assert loaded == [("hand-signs", None)] * 2
    assert [arch.key for arch, _ in trained] == ["plain_net", "residual_net"]
    for arch, config in trained:
        options = registry.get(arch.key).config(options=arch.options).options
        assert {k: options[k] for k in ("depth", "width", "stem_stride", "batch_norm")} == \
            {"depth": 20, "width": 16, "stem_stride": 2, "batch_norm": True}
        # a set of 12 images: still the preset's settings, not the small-set ones (which
        # added augmentation and a cosine schedule)
        assert (config.epochs, config.batch_size, config.learning_rate, config.optimizer,
                config.validation_split, config.augment, config.lr_schedule) == \
            (20, 16, 3e-3, "adam", 0.0, {}, "constant")
    shapes = _preset_network(options)
    assert shapes["stem_conv"] == (32, 32, 16) and shapes["block1_a_conv"] == (16, 16, 16)
    finals = [json.loads(line) for line in capsys.readouterr().out.splitlines()
              if '"run_dir"' in line]
    assert len(finals) == 2 and all(len(f["history"]) == 1 for f in finals)


def test_the_stem_stride_is_an_option_the_table_shows():
    assert _preset_network({"stem_stride": 1})["block1_a_conv"] == (32, 32, 16)
    assert _preset_network({})["block1_a_conv"] == (16, 16, 16)  # the zoo's default: 2
