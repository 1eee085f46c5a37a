"""The door model's data path: one channel rule for training and inference, the camera-like
augmentation, the held-out split by file name, the scores, the distortions."""

import numpy as np
import pytest
from PIL import Image

from cnnexplorer.core.data.augment import AugmentConfig, augment_preview
from cnnexplorer.core.data.images import scale_pixels
from cnnexplorer.core.door.inference import preprocess
from cnnexplorer.core.door.prepare import prepare_face
from cnnexplorer.core.door.robustness import DISTORTIONS, degrade
from cnnexplorer.core.door.scores import binary_scores, roc_auc
from cnnexplorer.core.door.smiles import is_held_out, load_smiles
from cnnexplorer.core.errors import ConfigError, DatasetError
from cnnexplorer.core.train.config import parse_augment
from cnnexplorer.core.data.adapt import adapt_channels, adapt_images


def _rgb(n=6, size=20, seed=0):
    return np.random.default_rng(seed).integers(0, 256, (n, size, size, 3), dtype=np.uint8)


def test_training_and_the_door_convert_colour_to_grey_by_the_same_rule():
    x = _rgb()
    trained = scale_pixels(adapt_images(x, (20, 20, 1)))  # what training feeds a grey model
    judged = np.concatenate([preprocess(im, (20, 20, 1)) for im in x])  # what the door feeds
    np.testing.assert_array_equal(trained, judged)
    # the rule: BT.601 luma, as Pillow's "L" (the smile crops' grey), within one level
    pil = np.stack([np.asarray(Image.fromarray(im).convert("L")) for im in x])[..., None]
    assert np.abs(adapt_channels(x, 1).astype(int) - pil.astype(int)).max() <= 1
    # grey into a colour model: the grey value in all three channels, both paths
    grey = adapt_channels(x, 1)
    np.testing.assert_array_equal(adapt_images(grey, (20, 20, 3)),
                                  np.stack([prepare_face(g, (20, 20, 3)) for g in grey]))


def test_camera_augmentation_changes_light_and_sharpness_within_its_strengths():
    rng = np.random.default_rng(0)
    img = np.clip(rng.normal(128, 40, (32, 32, 1)), 0, 255).astype(np.uint8)
    bright = augment_preview(img, AugmentConfig(brightness=0.5), 30, seed=1)
    ratios = np.array([o.mean() / img.mean() for o in bright])
    assert ratios.min() >= 0.45 and ratios.max() <= 1.55 and ratios.std() > 0.1

    def detail(a):  # high-frequency energy
        a = a[..., 0].astype(float)
        return np.abs(np.diff(a, axis=0)).mean() + np.abs(np.diff(a, axis=1)).mean()

    for cfg in (AugmentConfig(blur=3.0), AugmentConfig(low_res=0.8)):
        outs = augment_preview(img, cfg, 12, seed=2)
        assert all(o.shape == img.shape and o.dtype == np.uint8 for o in outs)
        assert np.mean([detail(o) for o in outs]) < 0.8 * detail(img)
    # the course setting is unchanged by the new kinds, and they are validated like the rest
    assert AugmentConfig.course_default().blur == 0 == AugmentConfig.course_default().low_res
    with pytest.raises(ConfigError, match="augmentation blur .* 0..4"):
        AugmentConfig(blur=9)
    assert parse_augment("blur,low_res=0.3,mirror") == {"blur": 1.5, "low_res": 0.3,
                                                        "mirror": 0.5}


def test_held_out_fifth_is_chosen_by_file_name_alone(tmp_path):
    names = [f"{i}.jpg" for i in range(1000)]
    held = [n for n in names if is_held_out(n)]
    assert 160 <= len(held) <= 240  # about a fifth
    assert is_held_out("a/b/" + held[0]) and is_held_out(held[0])  # the folder does not count
    for label, folder in enumerate(("nosmile", "smile")):
        (tmp_path / folder).mkdir()
        for n in names[label * 20:label * 20 + 20]:
            Image.fromarray(np.full((64, 64), 40 + 100 * label, np.uint8)).save(
                tmp_path / folder / n)
    ds = load_smiles(tmp_path)
    assert ds.class_names == ["nosmile", "smile"] and ds.x_train.shape[1:] == (64, 64, 1)
    held_names = [n.split("/")[1] for n in ds.split_names["held_out"]]
    assert held_names and all(is_held_out(n) for n in held_names)
    assert not any(is_held_out(n.split("/")[1]) for n in ds.split_names["train"])
    assert len(ds.y_train) + len(ds.y_test) == 40
    assert (ds.x_test[ds.y_test == 1] > 100).all()  # labels follow the folders
    with pytest.raises(DatasetError, match="missing smile"):
        (tmp_path / "smile").rename(tmp_path / "other")
        load_smiles(tmp_path)


def test_roc_auc_and_scores():
    assert roc_auc([0, 0, 1, 1], [0.1, 0.2, 0.8, 0.9]) == 1.0
    assert roc_auc([0, 0, 1, 1], [0.9, 0.8, 0.2, 0.1]) == 0.0
    assert roc_auc([0, 1, 0, 1], [0.5, 0.5, 0.5, 0.5]) == 0.5
    assert roc_auc([0, 1, 1, 0], [0.1, 0.4, 0.35, 0.8]) == 0.5
    with pytest.raises(DatasetError, match="both classes"):
        roc_auc([1, 1], [0.2, 0.3])
    s = binary_scores([0, 0, 0, 1], [0.1, 0.2, 0.6, 0.9])
    assert s["accuracy"] == 0.75 and s["constant_answer_accuracy"] == 0.75
    assert s["roc_auc"] == 1.0 and s["positives"] == 1


def test_distortions_keep_the_shape_and_do_what_they_say():
    x = np.random.default_rng(3).integers(0, 256, (4, 64, 64, 1), dtype=np.uint8)
    for name in DISTORTIONS:
        out = degrade(x, name)
        assert out.shape == x.shape and out.dtype == np.uint8, name
    np.testing.assert_array_equal(degrade(x, "mirrored"), x[:, :, ::-1])
    assert degrade(x, "brightness x0.5").mean() == pytest.approx(x.mean() / 2, abs=1)
    assert not np.array_equal(degrade(x, "rotate +15"), degrade(x, "rotate -15"))
    with pytest.raises(ConfigError, match="unknown distortion 'sepia'"):
        degrade(x, "sepia")


def test_non_faces_are_varied_grey_images_and_reproducible():
    from cnnexplorer.core.door.smiles import non_faces

    x = non_faces(8, seed=1)
    assert x.shape == (8, 64, 64, 1) and x.dtype == np.uint8
    np.testing.assert_array_equal(x, non_faces(8, seed=1))
    stds = x.reshape(8, -1).std(axis=1)
    assert stds[0] > 60 and stds[2] < 20  # uniform noise, then a flat grey level
    assert len({int(v) for v in x.reshape(8, -1).mean(axis=1) // 8}) >= 4
