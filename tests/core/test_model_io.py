"""model_io: safe loading refuses what it should with a clear message; saves are atomic."""

import numpy as np
import pytest

from cnnexplorer.core.keras import model_io
from cnnexplorer.core.errors import ModelFileError
from cnnexplorer.core.keras.build import build_keras_model, import_keras
from cnnexplorer.core.arch.zoo import registry


@pytest.fixture(scope="module")
def tiny_model():
    net = registry.build("happymodel", input_shape=(16, 16, 3), filters=4, kernel=3, padding=1)
    return build_keras_model(net, seed=1)


def test_roundtrip_keras_and_h5_predict_the_same(tmp_path, tiny_model):
    x = np.random.default_rng(0).random((3, 16, 16, 3), dtype=np.float32)
    ref = tiny_model.predict(x, verbose=0)
    for name in ("m.keras", "m.h5"):
        path = model_io.save_model(tiny_model, tmp_path / name)
        again = model_io.load_model(path)
        np.testing.assert_allclose(again.predict(x, verbose=0), ref, rtol=1e-5, atol=1e-6)
    assert model_io.model_task(tiny_model) == ((16, 16, 3), 2, True)


def test_lambda_layer_is_refused_in_safe_mode(tmp_path):
    keras = import_keras()
    i = keras.Input((4,))
    m = keras.Model(i, keras.layers.Dense(1)(keras.layers.Lambda(lambda t: t * 2)(i)))
    for name in ("lam.keras", "lam.h5"):
        m.save(tmp_path / name)
        with pytest.raises(ModelFileError, match="Lambda layer"):
            model_io.load_model(tmp_path / name)


@pytest.mark.parametrize("name,content,message", [
    ("notes.keras", b"hello, not a model", "not a zip archive"),
    ("notes.h5", b"hello, not a model", "not an HDF5 file"),
    ("empty.keras", b"", "empty"),
    ("model.pt", b"\x00\x01", "unknown model file type '.pt'"),
])
def test_non_model_files_are_refused_by_name(tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(ModelFileError, match=message) as err:
        model_io.load_model(path)
    assert str(path) in str(err.value)


def test_truncated_files_are_refused(tmp_path, tiny_model):
    for name in ("t.keras", "t.h5"):
        good = model_io.save_model(tiny_model, tmp_path / ("good_" + name))
        cut = tmp_path / name
        cut.write_bytes(good.read_bytes()[:1500])
        with pytest.raises(ModelFileError, match=str(cut)):
            model_io.load_model(cut)


def test_missing_file(tmp_path):
    with pytest.raises(ModelFileError, match="no such model file"):
        model_io.load_model(tmp_path / "nope.keras")


def test_failed_save_leaves_previous_file_intact(tmp_path, tiny_model, monkeypatch):
    target = model_io.save_model(tiny_model, tmp_path / "best.keras")
    before = target.read_bytes()

    def broken_save(self, path, *a, **k):
        with open(path, "wb") as fh:
            fh.write(b"half a model")
        raise OSError("disk full")

    monkeypatch.setattr(type(tiny_model), "save", broken_save)
    with pytest.raises(OSError, match="disk full"):
        model_io.save_model(tiny_model, target)
    assert target.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["best.keras"]  # no temp file left


def test_export_formats(tmp_path, tiny_model):
    assert model_io.export_model(tiny_model, tmp_path / "out.h5").is_file()
    saved = model_io.export_model(tiny_model, tmp_path / "served", "savedmodel")
    assert (saved / "saved_model.pb").is_file()
    lite = model_io.export_model(tiny_model, tmp_path / "m.tflite")
    assert lite.read_bytes()[4:8] == b"TFL3"
    with pytest.raises(ModelFileError, match="unknown export format 'onnx'"):
        model_io.export_model(tiny_model, tmp_path / "x", "onnx")
