"""A model file declaring more than it stores (issue 19, severe 5): the weights its
configuration declares are counted from the JSON, without building the model, and a file
declaring more than it holds is refused before Keras allocates anything."""

from __future__ import annotations

import json
import resource

import pytest
from hostile_round2 import keras_declaring

from cnnexplorer.core.errors import ModelFileError
from cnnexplorer.core.keras import declared_size
from cnnexplorer.core.keras.model_io import check_model_file, load_model


def test_a_keras_file_declaring_dense_8000_is_refused_before_keras_builds_it(tmp_path,
                                                                                 monkeypatch):
    path = keras_declaring(tmp_path / "bomb.keras", units=8000)
    assert path.stat().st_size < 32 * 1024

    def never(*args, **kwargs):
        raise AssertionError("Keras was asked to build the model")

    import keras

    monkeypatch.setattr(keras.models, "load_model", never)
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with pytest.raises(ModelFileError, match=r"bomb\.keras: the model's configuration declares "
                                             r"98,312,000 weights .* but the file stores"):
        load_model(path)
    # before the fix: 2.5 GB in Keras' build (repro #5)
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before < 200 * 1024


def test_the_declared_count_is_keras_own_count(tmp_path):
    import keras

    inputs = keras.Input((24, 24, 3))
    x = keras.layers.Conv2D(8, 3, padding="same")(inputs)
    x = keras.layers.BatchNormalization()(x)
    x = keras.layers.DepthwiseConv2D(3)(x)
    shortcut = keras.layers.Conv2D(8, 1)(keras.layers.Cropping2D(1)(inputs))
    x = keras.layers.Add()([x, shortcut])
    x = keras.layers.MaxPooling2D()(x)
    x = keras.layers.Flatten()(x)
    head = keras.Sequential([keras.Input((968,)), keras.layers.Dense(10), keras.layers.Dense(3)])
    model = keras.Model(inputs, head(x))
    path = tmp_path / "m.keras"
    model.save(path)
    import zipfile

    config = json.loads(zipfile.ZipFile(path).read("config.json"))
    assert declared_size.declared_weights(config) == model.count_params()
    assert check_model_file(path) == ".keras"
    assert load_model(path).count_params() == model.count_params()


def test_shapes_come_from_the_inputs_not_from_what_each_layer_claims(tmp_path):
    # the same bomb with the Dense layer's build_config left small: Keras rebuilds the graph
    # from the input layer (64x64x3 -> 12288), so the count must too
    path = keras_declaring(tmp_path / "liar.keras", units=8000)
    import zipfile

    with zipfile.ZipFile(path) as zf:
        members = {n: zf.read(n) for n in zf.namelist()}
    config = json.loads(members["config.json"])
    for layer in config["config"]["layers"]:
        layer.pop("build_config", None)
    assert declared_size.declared_weights(config) == 12288 * 8000 + 8000


def test_a_legacy_h5_model_declaring_a_huge_layer_is_refused(tmp_path):
    import h5py

    config = {"class_name": "Sequential", "config": {"name": "s", "layers": [
        {"class_name": "InputLayer", "config": {"batch_input_shape": [None, 4096],
                                                "name": "in"}},
        {"class_name": "Dense", "config": {"name": "d", "units": 4096, "use_bias": True,
                                           "activation": "linear"}}]}}
    path = tmp_path / "legacy.h5"
    with h5py.File(path, "w") as f:
        f.attrs["model_config"] = json.dumps(config)
        f.create_group("model_weights")
    with pytest.raises(ModelFileError, match=r"declares 16,781,312 weights"):
        check_model_file(path)


def test_a_model_declaring_more_than_memory_is_refused(monkeypatch):
    monkeypatch.setattr(declared_size, "MAX_ARRAY_BYTES", 1000)
    config = {"class_name": "Embedding", "config": {"input_dim": 100, "output_dim": 10}}
    with pytest.raises(ModelFileError, match=r"declares 1,000 weights \(4,000 bytes as "
                                             r"float32\); more than 1,000"):
        declared_size.check_declared_weights(config, 10**9, "m.keras")


def test_inspect_answers_from_the_config_alone_and_agrees_with_keras(tmp_path, monkeypatch):
    """A .keras whose layers the kinds all translate is read without building the model:
    the same table (names, kinds, wiring, blocks, shapes, params, MACs) as Keras' import."""
    import keras

    from cnnexplorer.core.keras import importer, sources
    from cnnexplorer.core.keras.config_network import network_from_keras_file

    inputs = keras.Input((24, 24, 3))
    x = keras.layers.Conv2D(8, 3, padding="same")(inputs)
    x = keras.layers.BatchNormalization(trainable=False)(x)
    x = keras.layers.DepthwiseConv2D(3)(x)
    shortcut = keras.layers.Conv2D(8, 1)(keras.layers.Cropping2D(1)(inputs))
    x = keras.layers.Flatten()(keras.layers.MaxPooling2D()(keras.layers.Add()([x, shortcut])))
    head = keras.Sequential([keras.Input((968,)), keras.layers.Dense(10),
                             keras.layers.Dense(3, activation="softmax")], name="head")
    path = tmp_path / "m.keras"
    keras.Model(inputs, head(x)).save(path)

    def rows(network):
        return [(n.name, n.kind, n.inputs, n.block, n.output_shape, n.trainable_params,
                 n.non_trainable_params, n.macs) for n in network.nodes]

    from_config = network_from_keras_file(path)
    assert from_config is not None
    assert rows(from_config) == rows(importer.import_model(path))
    bn = next(n for n in from_config.nodes if n.kind == "BatchNormalization")
    assert (bn.trainable_params, bn.non_trainable_params) == (0, 32)  # frozen: all fixed

    def never(*args, **kwargs):
        raise AssertionError("inspect asked Keras for a file its config answers")

    monkeypatch.setattr(sources, "import_model", never)
    network, meta = sources.load_network(str(path))
    assert rows(network) == rows(from_config) and meta.classes == 3


def test_a_layer_the_kinds_do_not_know_falls_back_to_keras(tmp_path):
    import keras

    from cnnexplorer.core.keras.config_network import network_from_keras_file

    inputs = keras.Input((8, 8, 3))
    out = keras.layers.Dense(2)(keras.layers.GaussianNoise(0.1)(keras.layers.Flatten()(inputs)))
    path = tmp_path / "noise.keras"
    keras.Model(inputs, out).save(path)
    assert network_from_keras_file(path) is None
