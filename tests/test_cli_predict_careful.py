"""`cnnexplorer predict --careful`: each face judged with its mirror too, the two averaged."""

from __future__ import annotations

import json

import numpy as np
import pytest
from PIL import Image

from cnnexplorer.cli import main


def test_careful_averages_the_image_and_its_mirror(tmp_path, capsys):
    rng = np.random.default_rng(4)
    image = rng.integers(0, 256, (64, 64, 3), dtype=np.uint8)
    Image.fromarray(image).save(tmp_path / "a.png")
    Image.fromarray(image[:, ::-1]).save(tmp_path / "mirror.png")
    args = ["predict", str(tmp_path / "a.png"), str(tmp_path / "mirror.png"),
            "--no-face-finding", "--json"]
    assert main(args) == 0
    plain = [json.loads(line)["probability"] for line in capsys.readouterr().out.splitlines()]
    assert main(args + ["--careful"]) == 0
    careful = [json.loads(line)["probability"] for line in capsys.readouterr().out.splitlines()]
    mean = (plain[0] + plain[1]) / 2
    # the careful answer is the mean of the image's and its mirror's, for both files
    assert careful[0] == pytest.approx(mean, abs=2e-6)
    assert careful[1] == pytest.approx(mean, abs=2e-6)
