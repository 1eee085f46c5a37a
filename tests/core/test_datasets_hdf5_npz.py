"""Course HDF5 files and .npz archives: what loads, and the exact message for what does not."""

import h5py
import numpy as np
import pytest

from cnnexplorer.core.data import Dataset, load_dataset, save_hdf5, save_npz
from cnnexplorer.core.data.base import require_training_images
from cnnexplorer.core.errors import DatasetError


def _x(n, h=8, w=8, c=3, seed=0):
    return np.random.default_rng(seed).integers(0, 256, (n, h, w, c), dtype=np.uint8)


def _write(path, **keys):
    with h5py.File(path, "w") as f:
        for k, v in keys.items():
            f.create_dataset(k, data=v)
    return path


def _course_pair(tmp_path, labels_shape="row"):
    y_train = np.array([0, 1, 1, 0, 1, 0])
    y_test = np.array([1, 0, 1])
    shape = (lambda y: y.reshape(1, -1)) if labels_shape == "row" else (lambda y: y)
    _write(tmp_path / "train_happy.h5", train_set_x=_x(6), train_set_y=shape(y_train),
           list_classes=np.array([0, 1]))
    _write(tmp_path / "test_happy.h5", test_set_x=_x(3, seed=1), test_set_y=shape(y_test),
           list_classes=np.array([0, 1]))
    return y_train, y_test


@pytest.mark.parametrize("labels_shape", ["row", "flat"])
@pytest.mark.parametrize("opened", ["train_happy.h5", "test_happy.h5"])
def test_course_pair_loads_from_either_file(tmp_path, opened, labels_shape):
    y_train, y_test = _course_pair(tmp_path, labels_shape)
    ds = load_dataset(tmp_path / opened)
    assert ds.name == "happy"
    assert ds.x_train.shape == (6, 8, 8, 3) and ds.x_test.shape == (3, 8, 8, 3)
    np.testing.assert_array_equal(ds.y_train, y_train)
    np.testing.assert_array_equal(ds.y_test, y_test)
    np.testing.assert_array_equal(ds.x_train, _x(6))
    assert ds.class_names == ["0", "1"]
    assert "train_happy.h5" in ds.source and "test_happy.h5" in ds.source


def test_single_file_with_byte_class_names_and_resize(tmp_path):
    _write(tmp_path / "all.h5", train_set_x=_x(4), train_set_y=np.array([0, 1, 2, 1]),
           test_set_x=_x(2), test_set_y=np.array([[2, 0]]),
           list_classes=np.array([b"cat", b"dog", b"bird"]))
    ds = load_dataset(tmp_path / "all.h5", image_size=4)
    assert ds.class_names == ["cat", "dog", "bird"]
    assert ds.input_shape == (4, 4, 3) and ds.x_test.shape == (2, 4, 4, 3)


def test_train_file_alone_has_no_test_split(tmp_path):
    _write(tmp_path / "train_signs.h5", train_set_x=_x(4), train_set_y=np.array([0, 1, 2, 3]))
    ds = load_dataset(tmp_path / "train_signs.h5")
    assert ds.x_test is None and ds.class_names == ["0", "1", "2", "3"]


def test_hdf5_errors_name_file_key_and_what_was_found(tmp_path):
    f = tmp_path / "bad.h5"
    cases = [
        (dict(train_set_x=_x(3)), f"{f}: missing key 'train_set_y'; the file has keys "
                                  f"train_set_x"),
        (dict(train_set_x=_x(3), train_set_y=np.array([0, 1])),
         f"{f}: key 'train_set_x' has 3 images but key 'train_set_y' has 2 labels"),
        (dict(train_set_x=_x(3), train_set_y=np.array([0, 1, 7]), list_classes=np.array([0, 1])),
         f"{f}: key 'train_set_y' has labels 0..7 but 'list_classes' has 2 classes "
         f"(labels 0..1)"),
        (dict(train_set_x=np.zeros((3, 64)), train_set_y=np.array([0, 1, 1])),
         f"{f}: key 'train_set_x' must hold images of shape (m, H, W, C) or (m, H, W); "
         f"found rank 2, shape (3, 64)"),
        (dict(train_set_x=_x(2), train_set_y=np.zeros((2, 2))),
         f"{f}: key 'train_set_y' must hold labels of shape (m,) or (1, m); found shape (2, 2)"),
        (dict(something=np.zeros(3)), f"{f}: missing key 'train_set_x' (or 'test_set_x'); the "
                                      f"file has keys something"),
        (dict(train_set_x=_x(2), train_set_y=np.array([0.5, 1.0])),
         f"{f}: key 'train_set_y' must hold integer labels; found [0.5]"),
    ]
    for keys, message in cases:
        _write(f, **keys)
        with pytest.raises(DatasetError) as info:
            load_dataset(f)
        assert str(info.value) == message


def test_hdf5_test_file_alone_is_a_test_only_set_and_not_hdf5(tmp_path):
    # the course's test_happy.h5 without train_happy.h5: a set to evaluate and predict on
    x = _x(4)
    _write(tmp_path / "test_x.h5", test_set_x=x, test_set_y=np.array([[0, 1, 1, 0]]),
           list_classes=np.array([0, 1]))
    ds = load_dataset(tmp_path / "test_x.h5")
    assert ds.test_only and ds.name == "x" and ds.class_names == ["0", "1"]
    assert ds.x_train.shape == (0, 8, 8, 3) and ds.y_train.shape == (0,)
    np.testing.assert_array_equal(ds.x_test, x)
    np.testing.assert_array_equal(ds.y_test, [0, 1, 1, 0])
    shown_x, shown_y = ds.sample_split()  # the Data panel shows the test images
    assert len(shown_x) == 4 and list(shown_y) == [0, 1, 1, 0]
    with pytest.raises(DatasetError, match=r"x: holds only a test split \(4 images, from "
                                           r".*test_x.h5\): evaluate or predict on it"):
        require_training_images(ds)
    assert not load_dataset(tmp_path / "test_x.h5", image_size=4).x_train.size
    (tmp_path / "fake.h5").write_text("not hdf5")
    with pytest.raises(DatasetError, match=r"fake.h5: not an HDF5 file h5py can open"):
        load_dataset(tmp_path / "fake.h5")


def test_hdf5_mismatched_image_sizes_between_files(tmp_path):
    _write(tmp_path / "train_a.h5", train_set_x=_x(2), train_set_y=np.array([0, 1]))
    _write(tmp_path / "test_a.h5", test_set_x=_x(2, h=4), test_set_y=np.array([0, 1]))
    with pytest.raises(DatasetError, match=r"test_a.h5: test images are \(4, 8, 3\) but the "
                                           r"training images of .*train_a.h5 are \(8, 8, 3\)"):
        load_dataset(tmp_path / "train_a.h5")


def _dataset(c=3):
    return Dataset(name="t", class_names=["not happy", "happy", "other"], x_train=_x(6, c=c),
                   y_train=np.array([0, 1, 2, 0, 1, 2]), x_test=_x(3, c=c, seed=2),
                   y_test=np.array([2, 1, 0]))


@pytest.mark.parametrize("name", ["train_t.h5", "t.h5"])
def test_hdf5_round_trip(tmp_path, name):
    ds = _dataset()
    written = save_hdf5(ds, tmp_path / name)
    assert len(written) == (2 if name.startswith("train_") else 1)
    back = load_dataset(written[-1])  # opening the test file of a pair finds the train file
    assert back.class_names == ds.class_names
    assert back.fingerprint == ds.fingerprint


def test_npz_loads_grayscale_and_round_trips(tmp_path):
    np.savez(tmp_path / "mnist.npz", x_train=np.zeros((5, 28, 28), np.uint8),
             y_train=np.array([0, 1, 2, 3, 9]), x_test=np.zeros((2, 28, 28), np.uint8),
             y_test=np.array([[4], [5]]))
    ds = load_dataset(tmp_path / "mnist.npz")
    assert ds.input_shape == (28, 28, 1) and ds.num_classes == 10
    assert ds.y_test.tolist() == [4, 5]
    ds2 = _dataset(c=1)
    back = load_dataset(save_npz(ds2, tmp_path / "sub" / "d.npz"))
    assert back.fingerprint == ds2.fingerprint and back.class_names == ds2.class_names


def test_npz_errors(tmp_path):
    f = tmp_path / "d.npz"
    np.savez(f, x_train=_x(3))
    with pytest.raises(DatasetError) as info:
        load_dataset(f)
    assert str(info.value) == f"{f}: missing key 'y_train'; the archive has keys x_train"
    np.savez(f, x_train=_x(3), y_train=np.array([0, 1]))
    with pytest.raises(DatasetError) as info:
        load_dataset(f)
    assert str(info.value) == f"{f}: key 'x_train' has 3 images but key 'y_train' has 2 labels"
    np.savez(f, x_train=_x(2), y_train=np.array([0, 1]), x_test=_x(1))
    with pytest.raises(DatasetError, match="missing key 'y_test'"):
        load_dataset(f)
    np.savez(f, x_train=np.full((2, 4, 4), 300.0), y_train=np.array([0, 1]))
    with pytest.raises(DatasetError, match=r"key 'x_train' must hold pixel values in 0..255 "
                                           r"\(or 0..1 floats\); found 300..300"):
        load_dataset(f)
    (tmp_path / "z.npz").write_text("nope")
    with pytest.raises(DatasetError, match="z.npz: not a NumPy .npz archive"):
        load_dataset(tmp_path / "z.npz")


def test_load_dataset_spec_errors(tmp_path):
    with pytest.raises(DatasetError, match=r"nothing-here: no such file or folder \(and not a "
                                           r"built-in set; built-in sets are: happy-faces, "
                                           r"hand-signs, digits\)"):
        load_dataset(tmp_path / "nothing-here")
    (tmp_path / "notes.txt").write_text("x")
    with pytest.raises(DatasetError, match=r"notes.txt: cannot tell what kind of dataset this "
                                           r"is \(extension '.txt'\)"):
        load_dataset(tmp_path / "notes.txt")
    with pytest.raises(DatasetError, match="resize must be one of stretch, crop, pad"):
        load_dataset("digits", resize="squash")
    with pytest.raises(DatasetError, match=r"image size must be .* received \(0, 4\)"):
        load_dataset("digits", image_size=(0, 4))
