"""Import every keras.applications zoo entry and check it against Keras itself.

For each model (built with weights=None: nothing is downloaded): total params vs
`model.count_params()` (must be equal), layers the importer had to leave opaque (must be none),
MACs against the published figure, and the time of Keras' build vs the import itself.

    python benchmarks/check_applications.py            # all seven, default input sizes
    python benchmarks/check_applications.py --markdown # the table for docs/import.md
"""

from __future__ import annotations

import argparse
import sys
import time

#: key, Keras class, input, published MACs (multiply-adds) and where the figure comes from
MODELS = (
    ("mobilenet", "MobileNet", (224, 224, 3), 569e6, "Howard et al. 2017, Table 8"),
    ("mobilenetv2", "MobileNetV2", (224, 224, 3), 300e6, "Sandler et al. 2018, Table 4"),
    ("inceptionv3", "InceptionV3", (299, 299, 3), 5.71e9, "torchvision docs: 5.71 G"),
    ("resnet50v2", "ResNet50V2", (224, 224, 3), None, "none for Keras' variant (see docs)"),
    ("densenet121", "DenseNet121", (224, 224, 3), 2.83e9, "torchvision docs: 2.83 G"),
    ("efficientnetb0", "EfficientNetB0", (224, 224, 3), 0.39e9, "Tan & Le 2019, Table 2"),
    ("xception", "Xception", (299, 299, 3), None, "none in the paper (see docs)"),
)


def _round_trip(net) -> bool:
    import tempfile
    from pathlib import Path

    from cnnexplorer.core.arch.cost import cost_report
    from cnnexplorer.core.keras.build import build_keras_model
    from cnnexplorer.core.keras.importer import import_model

    def rows(n):
        return [(r.name, r.type, r.output_shape, r.params, r.trainable_params, r.macs)
                for r in cost_report(n).rows]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "model.keras"
        build_keras_model(net).save(path)
        return rows(import_model(path)) == rows(net)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--markdown", action="store_true")
    parser.add_argument("--round-trip", action="store_true",
                        help="also build each imported spec back into Keras, save it as "
                             ".keras, import that file and compare the rows (slow)")
    args = parser.parse_args(argv)

    from cnnexplorer.core.arch.cost import cost_report
    from cnnexplorer.core.keras.build import import_keras
    from cnnexplorer.core.keras.importer import network_from_keras

    t0 = time.perf_counter()
    keras = import_keras()
    print(f"import keras: {time.perf_counter() - t0:.1f} s", file=sys.stderr)
    rows, failed = [], False
    for _key, app, shape, published, source in MODELS:
        t = time.perf_counter()
        model = getattr(keras.applications, app)(weights=None, input_shape=shape)
        t_build = time.perf_counter() - t
        t = time.perf_counter()
        net = network_from_keras(model, name=app)
        report = cost_report(net)
        t_import = time.perf_counter() - t
        keras_params = model.count_params()
        opaque = [r.name for r in report.rows if r.type == "Opaque"]
        ok = report.totals.params == keras_params and not opaque
        failed |= not ok
        diff = "" if not published else f"{100 * (report.totals.macs / published - 1):+.1f}%"
        rows.append((app, "x".join(map(str, shape)), f"{keras_params:,}",
                     f"{report.totals.params:,}", "yes" if ok else f"NO {opaque[:3]}",
                     f"{report.totals.macs / 1e6:,.1f} M",
                     f"{published / 1e6:,.0f} M" if published else "-", diff, source,
                     f"{t_build:.2f} s", f"{1000 * t_import:.0f} ms", len(report.rows)))
        if args.round_trip:
            ok_rt = _round_trip(net)
            failed |= not ok_rt
            print(f"{app}: round trip spec -> Keras -> .keras -> spec "
                  f"{'gives the same rows' if ok_rt else 'DIFFERS'}", file=sys.stderr)
        del model
    head = ("model", "input", "Keras count_params", "spec params", "equal, none opaque",
            "spec MACs", "published", "diff", "source", "Keras build", "import", "layers")
    if args.markdown:
        print("| " + " | ".join(head) + " |")
        print("|" + "---|" * len(head))
        for r in rows:
            print("| " + " | ".join(map(str, r)) + " |")
    else:
        for r in rows:
            print("  ".join(map(str, r)))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
