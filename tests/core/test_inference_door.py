"""The door's prediction path: preprocessing shared with training, the fast call, model checks,
and every awkward input of the acceptance list."""

from __future__ import annotations

import numpy as np
import pytest
from door_samples import (READABLE, UNREADABLE, bad_images, face, lambda_model_file,
                          not_a_model_file, six_class_model_file, tiny_happy_model)

from cnnexplorer.core.errors import ModelFileError
from cnnexplorer.core.data.images import ImageReadError
from cnnexplorer.core.door.inference import (
    DoorModel,
    Prediction,
    check_threshold,
    decide,
    inspect_door_model,
    preprocess,
    read_door_image,
)
from cnnexplorer.core.door.prepare import prepare_face


@pytest.fixture(scope="module")
def door():
    return DoorModel(tiny_happy_model(0), "happymodel")


def test_preprocess_resizes_and_converts_channels():
    rgb = np.full((120, 90, 3), 255, np.uint8)
    out = preprocess(rgb, (64, 64, 3))
    assert out.shape == (1, 64, 64, 3) and out.dtype == np.float32
    assert out.max() == pytest.approx(1.0)
    gray = np.zeros((50, 50), np.uint8)
    assert preprocess(gray, (64, 64, 3)).shape == (1, 64, 64, 3)
    rgba = np.zeros((40, 40, 4), np.uint8)
    rgba[..., 0] = 200
    assert prepare_face(rgba, (32, 32, 1)).shape == (32, 32, 1)
    # the luma of pure red (200) is 0.299 * 200
    assert prepare_face(rgba, (32, 32, 1))[0, 0, 0] == round(0.299 * 200)


def test_fast_path_matches_model_predict(door):
    rng = np.random.default_rng(1)
    frames = [rng.integers(0, 256, (64, 64, 3), dtype=np.uint8) for _ in range(4)]
    frames.append(face(True))
    expected = door.model.predict(np.concatenate([preprocess(f, (64, 64, 3)) for f in frames]),
                                  verbose=0)[:, 0]
    single = np.array([door.probability(f) for f in frames])
    batched = np.array([p.probability for p in door.predict_images(frames)])
    np.testing.assert_allclose(single, expected, atol=1e-5)
    np.testing.assert_allclose(batched, expected, atol=1e-5)


def test_decision_and_threshold():
    assert decide(0.5, 0.5) == "open" and decide(0.49, 0.5) == "closed"
    p = Prediction(0.8, 0.9)
    assert p.decision == "closed" and p.as_dict()["decision"] == "closed"
    assert check_threshold("0.3") == 0.3
    for bad in (-0.1, 1.5, "x", None):
        with pytest.raises(ModelFileError, match="threshold"):
            check_threshold(bad)


def _model(keras, units, activation, shape=(16, 16, 3)):
    inp = keras.Input(shape)
    x = keras.layers.Flatten()(keras.layers.Conv2D(2, 3, name="conv")(inp))
    return keras.Model(inp, keras.layers.Dense(units, activation=activation, name="out")(x))


def test_output_kinds_give_the_happy_probability():
    import keras

    x = np.random.default_rng(2).integers(0, 256, (16, 16, 3), dtype=np.uint8)
    soft = _model(keras, 2, "softmax")
    d = DoorModel(soft, "soft")
    assert d.output_kind == "softmax"
    assert d.probability(x) == pytest.approx(float(soft(preprocess(x, d.input_shape))[0, 1]),
                                             abs=1e-6)
    logit = _model(keras, 1, None)
    d = DoorModel(logit, "logit")
    z = float(logit(preprocess(x, d.input_shape))[0, 0])
    assert d.output_kind == "logit"
    assert d.probability(x) == pytest.approx(1 / (1 + np.exp(-z)), abs=1e-6)


def test_models_that_do_not_fit_are_refused_with_what_is_expected():
    import keras

    with pytest.raises(ModelFileError, match=r"predicts 6 classes.*single sigmoid unit"):
        inspect_door_model(_model(keras, 6, "softmax"), "six.keras")
    with pytest.raises(ModelFileError, match="activation is 'relu'"):
        inspect_door_model(_model(keras, 1, "relu"), "relu.keras")
    flat = keras.Model(i := keras.Input((10,)), keras.layers.Dense(1, activation="sigmoid")(i))
    with pytest.raises(ModelFileError, match=r"input is \(10,\).*image input"):
        inspect_door_model(flat, "flat.keras")
    a, b = keras.Input((8, 8, 3)), keras.Input((8, 8, 3))
    two = keras.Model([a, b], keras.layers.Dense(1, activation="sigmoid")(
        keras.layers.Flatten()(keras.layers.Add()([a, b]))))
    with pytest.raises(ModelFileError, match="2 inputs"):
        inspect_door_model(two, "two.keras")


def test_model_files_bad_six_class_and_lambda(tmp_path):
    with pytest.raises(ModelFileError, match="not_a_model.keras"):
        DoorModel.load(not_a_model_file(tmp_path / "not_a_model.keras"))
    text = tmp_path / "notes.h5"
    text.write_text("hello")
    with pytest.raises(ModelFileError, match="notes.h5"):
        DoorModel.load(text)
    with pytest.raises(ModelFileError, match="6 classes"):
        DoorModel.load(six_class_model_file(tmp_path / "six.keras"))
    # safe mode stays on: a Lambda layer's code is never run, the file is refused
    with pytest.raises(ModelFileError, match="Lambda"):
        DoorModel.load(lambda_model_file(tmp_path / "lambda.keras"))


def test_saved_binary_model_round_trips(tmp_path, door):
    path = tmp_path / "door.keras"
    door.model.save(path)
    again = DoorModel.load(path)
    x = face(False)
    assert again.probability(x) == pytest.approx(door.probability(x), abs=1e-6)
    assert again.name == "door.keras"


def test_bundled_model_is_small_and_fits():
    from cnnexplorer.paths import resource

    path = resource("door_model.keras")
    # under 2 MB in the wheel: DoorNet with two CONV units per block is 295 thousand float32
    # weights (1.2 MB); a model of millions would not belong in resources/
    assert path.is_file() and path.stat().st_size < 2_000_000
    bundled = DoorModel.bundled()
    assert bundled.input_shape == (64, 64, 1) and bundled.output_kind == "sigmoid"
    assert bundled.model.name == "DoorNet"  # trained on real faces (test_door_model_bundled)


@pytest.mark.parametrize("name", UNREADABLE)
def test_unreadable_inputs_give_a_clear_message(tmp_path, name):
    files = bad_images(tmp_path)
    with pytest.raises(ImageReadError) as info:
        read_door_image(files[name])
    msg = str(info.value)
    assert files[name].name in msg
    expected = {"text": "not an image", "truncated": "corrupt or truncated",
                "empty": "empty", "tiny": "1x1 pixels", "bomb": "decompression bomb"}[name]
    assert expected in msg


@pytest.mark.parametrize("name", READABLE)
def test_awkward_but_readable_inputs_are_judged(tmp_path, name, door):
    files = bad_images(tmp_path)
    img = read_door_image(files[name])
    assert img.dtype == np.uint8 and img.ndim == 3 and img.shape[2] == 3
    assert 0.0 <= door.probability(img) <= 1.0
    if name == "16bit":  # scaled, not clipped to white
        assert img.min() == 0 and 250 <= img.max() <= 255 and img.mean() < 200
    if name == "rgba":  # alpha composited on white: lighter than the face itself
        assert img.mean() > face(True, 64, 1).mean()
    if name == "exif":  # rotated as a viewer shows it: portrait, red on top
        assert img.shape[:2] == (40, 20)
        assert img[5, 10, 0] > 150 and img[35, 10, 2] > 150


def test_bundled_model_tells_clear_smiles_from_frowns():
    """On clearly smiling / frowning generated faces (curvature +-1) the door is right."""
    bundled = DoorModel.bundled()
    smiles = [bundled.probability(face(True, 64, 100 + i)) for i in range(10)]
    frowns = [bundled.probability(face(False, 64, 200 + i)) for i in range(10)]
    correct = sum(p >= 0.5 for p in smiles) + sum(p < 0.5 for p in frowns)
    assert correct >= 17, (smiles, frowns)
