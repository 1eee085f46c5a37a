"""Write the keras.applications zoo entries' imported specs to resources/app_specs/.

    python -m cnnexplorer.tools.make_app_specs            # all entries, default configs
    python -m cnnexplorer.tools.make_app_specs --check    # compare the shipped files instead

Each entry is built with keras.applications (weights=None, nothing downloaded) at its default
configuration, plus the MobileNets at their other widths (alpha), and imported with the same
importer a user's model goes through. Run it after changing the importer or a layer kind:
`zoo/applications.py` loads these files instead of importing Keras, so a stale file would
show what the old importer made of the model. Imports TensorFlow (about a minute in all).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from cnnexplorer.core.arch import zoo
from cnnexplorer.core.arch.zoo import applications as apps
from cnnexplorer.core.arch.spec_io import load_spec, save_spec
from cnnexplorer.paths import resource
from cnnexplorer.core.keras.build import import_keras

#: extra option values generated besides the defaults (each MobileNet is small: ~20-40 kB)
EXTRA_OPTIONS = {
    "mobilenet": [{"alpha": a} for a in (0.25, 0.5, 0.75)],
    "mobilenetv2": [{"alpha": a} for a in (0.35, 0.5, 0.75, 1.3, 1.4)],
}


def configurations():
    """(entry, ArchConfig) for every spec to ship, defaults first."""
    for entry in zoo.entries():
        if entry.family != apps.FAMILY:
            continue
        yield entry, entry.config()
        for options in EXTRA_OPTIONS.get(entry.key, []):
            yield entry, entry.config(options=options)


def _fresh(entry, cfg):
    """Import the Keras model in a clean Keras session: auto-made names (`input_layer`,
    EfficientNet's `rescaling`) then carry no counter from the models built before it."""
    import_keras().backend.clear_session()
    app = next(a for k, a, *_ in apps._APPS if k == entry.key)
    return apps.import_from_keras(app, tuple(cfg.input_shape), cfg.classes,
                                  tuple(sorted(cfg.options.items())))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=resource(apps.SPEC_DIR),
                        help="folder to write to (default: the package's resources)")
    parser.add_argument("--check", action="store_true",
                        help="compare each shipped file with a fresh import; write nothing")
    args = parser.parse_args(argv)
    total, stale = 0, []
    for entry, cfg in configurations():
        path = args.out / apps.spec_file_name(entry.key, cfg)
        t0 = time.perf_counter()
        network = _fresh(entry, cfg)
        if args.check:
            same = path.exists() and load_spec(path) == network
            if not same:
                stale.append(path.name)
            print(f"{path.name:40s} {'same' if same else 'DIFFERS or missing'}")
            continue
        save_spec(path, network)
        size = path.stat().st_size
        total += size
        params = sum(n.params for n in network.nodes)
        print(f"{path.name:40s} {len(network.nodes):4d} layers {params:>12,} params "
              f"{size / 1024:7.1f} kB  {time.perf_counter() - t0:5.1f} s", flush=True)
    if args.check:
        print("all shipped specs match" if not stale else f"stale: {', '.join(stale)}")
        return 1 if stale else 0
    print(f"total {total / 1024:.1f} kB in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
