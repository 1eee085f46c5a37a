"""What "a convolution at work" costs a door frame (issue 20): for each Conv2D layer of the
bundled DoorNet, the Inspector's maps with the probe (the layer's input taken from the same
cached model call as its maps) beside the maps of the layer's activation alone and a probe
that runs the model on its own (`ConvProbe.run`, what the first version did per frame), and
one hover's working (`ConvProbe.at`, numpy on the GUI thread). Medians over repeated calls.

    python benchmarks/bench_conv_probe.py
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


def median_ms(fn, repeat: int) -> float:
    fn()  # traced / warmed once
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1e3


def one_layer(inspector, door, image, x, name: str, after: str) -> str:
    """One table line: layer `name`'s maps with its probe, `after`'s maps alone, a separate
    probe, one hover."""
    from cnnexplorer.core.keras.conv_at_work import ConvProbe

    with_probe = median_ms(lambda: inspector.layer_maps(image, name), 30)
    maps_only = median_ms(lambda: inspector.feature_maps(image, after), 30)
    separate = median_ms(lambda: ConvProbe.run(door.model, x, name), 10)
    probe = inspector.layer_maps(image, name).probe
    n_h, n_w, n_c = probe.output_shape
    hover = median_ms(lambda: probe.at(n_h // 2, n_w // 2, n_c - 1), 200)
    return (f"{name:6s} {with_probe:7.2f} ms  {maps_only:10.2f} ms {after:>8s}  "
            f"{separate:9.2f} ms  {hover:8.3f} ms")


def main() -> int:
    import numpy as np

    from cnnexplorer.core.door.gradcam import Inspector, spatial_layers
    from cnnexplorer.core.door.inference import load_door_model, preprocess

    door = load_door_model(None)
    door.warm_up()
    inspector = Inspector(door)
    layers = spatial_layers(door.model)
    image = (np.random.default_rng(0).random((64, 64, 3)) * 255).astype(np.uint8)
    x = preprocess(image, door.input_shape)[0]
    print(f"load average {os.getloadavg()[0]:.1f}; DoorNet input {door.input_shape}")
    print("layer  maps+probe  maps of its activation  ConvProbe.run  one hover (at)")
    for i, info in enumerate(layers):
        if info.kind == "Conv2D":
            after = next((n.name for n in layers[i + 1:] if n.kind == "Activation"), info.name)
            print(one_layer(inspector, door, image, x, info.name, after))
    return 0


if __name__ == "__main__":
    sys.exit(main())
