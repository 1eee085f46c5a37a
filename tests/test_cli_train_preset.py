"""`cnnexplorer train --preset plain-vs-residual`: both networks, the preset's settings, one
final line each (issue 20)."""

from __future__ import annotations

import json

import numpy as np

from cnnexplorer.cli import main


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

    results: dict = {}

    def train_small(arch, dataset, config, **kw):
        # what the preset asked for is recorded; a network of one block trains one epoch,
        # once per network (a second call hands back the first result)
        trained.append((arch, config))
        if arch.key not in results:
            results[arch.key] = real_train(
                ArchSpec(arch.key, {**arch.options, "depth": 1, "width": 2}), dataset,
                replace(config, epochs=1), **kw)
        return results[arch.key]

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
    saved = [json.loads(open(f"{f['run_dir']}/config.json").read()) for f in finals]
    assert [c["architecture"]["key"] for c in saved] == ["plain_net", "residual_net"]
    # an option or a setting given on the command line wins over the preset's
    trained.clear()
    assert main(["train", "--preset", "plain-vs-residual", "--set", "width=8", "--lr", "0.01",
                 "--json"]) == 0
    assert [(int(arch.options["width"]), int(arch.options["depth"]), config.learning_rate,
             config.epochs) for arch, config in trained] == [(8, 20, 0.01, 20)] * 2


def test_the_stem_stride_is_an_option_the_table_shows():
    assert _preset_network({"stem_stride": 1})["block1_a_conv"] == (32, 32, 16)
    assert _preset_network({})["block1_a_conv"] == (16, 16, 16)  # the zoo's default: 2
