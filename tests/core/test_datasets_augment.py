"""Augmentation: config validation, the numpy preview, and the tf.data pipeline agreeing."""

import numpy as np
import pytest

from cnnexplorer.core.data import AugmentConfig, augment_preview, make_tf_dataset, pca_basis
from cnnexplorer.core.data.augment import affine_matrices, warp_batch
from cnnexplorer.core.errors import ConfigError, DatasetError


def _images(n=10, h=16, w=20, c=3, seed=0):
    return np.random.default_rng(seed).integers(0, 256, (n, h, w, c), dtype=np.uint8)


def test_config_validation_and_round_trip():
    cfg = AugmentConfig.course_default()
    assert cfg.enabled and cfg.geometric
    assert AugmentConfig.from_dict(cfg.to_dict()) == cfg
    assert not AugmentConfig().enabled
    with pytest.raises(ConfigError, match=r"augmentation rotation .* must be a number in "
                                          r"0\.\.180; received 200"):
        AugmentConfig(rotation=200)
    with pytest.raises(ConfigError, match="received nan"):
        AugmentConfig(crop=float("nan"))
    with pytest.raises(ConfigError, match="unknown augmentation option.* zoom"):
        AugmentConfig.from_dict({"zoom": 1})


def test_preview_off_is_identity_and_mirror_flips():
    img = _images(1)[0]
    assert all((p == img).all() for p in augment_preview(img, AugmentConfig(), 3))
    flipped = augment_preview(img, AugmentConfig(mirror=1.0), 2)
    assert (flipped[0] == img[:, ::-1]).all()


def test_preview_is_deterministic_and_varied():
    img = _images(1, 32, 32)[0]
    cfg = AugmentConfig.course_default()
    a = augment_preview(img, cfg, 6, seed=3)
    b = augment_preview(img, cfg, 6, seed=3)
    assert all((p == q).all() for p, q in zip(a, b))
    assert len({p.tobytes() for p in a}) == 6
    with pytest.raises(ConfigError, match="uint8"):
        augment_preview(img.astype(np.float32), cfg)


def test_color_shift_moves_channel_means_within_strength():
    img = np.full((8, 8, 3), 128, np.uint8)
    out = augment_preview(img, AugmentConfig(color_shift=30), 20, seed=1)
    means = np.array([o.reshape(-1, 3).mean(0) for o in out]) - 128
    assert np.abs(means).max() <= 30.5 and np.abs(means).max() > 10
    # per-channel: the three offsets of an image differ
    assert np.abs(means[:, 0] - means[:, 1]).max() > 1


def test_pca_basis_follows_the_main_colour_axis():
    rng = np.random.default_rng(0)
    t = rng.normal(0, 40, 5000)
    px = np.clip(128 + np.stack([t, t, 0.1 * t], 1), 0, 255).astype(np.uint8)
    basis = pca_basis(px.reshape(50, 10, 10, 3))
    main = basis[:, np.argmax(np.linalg.norm(basis, axis=0))]
    assert abs(main[0]) == pytest.approx(abs(main[1]), rel=0.05)
    assert np.linalg.norm(main) == pytest.approx(40 * np.sqrt(2), rel=0.15)


def test_warp_agrees_with_tensorflows_projective_transform():
    """Our Pillow warp samples like Keras' RandomRotation op (bilinear, reflect), +-1 level."""
    tf = pytest.importorskip("tensorflow")
    x = _images(3)
    p = dict(flip=np.array([True, False, True]), angle=np.array([0.3, -0.5, 0.0]),
             shear=np.array([0.1, 0.0, -0.3]), zoom=np.array([0.8, 1.0, 0.6]),
             off_x=np.array([0.2, 0.0, -0.5]), off_y=np.array([-0.3, 0.0, 0.5]))
    m = affine_matrices(p, 16, 20)
    ours = warp_batch(x, m).astype(np.float32)
    theirs = tf.raw_ops.ImageProjectiveTransformV3(
        images=x.astype(np.float32), transforms=m, output_shape=[16, 20], fill_value=0.0,
        interpolation="BILINEAR", fill_mode="REFLECT").numpy()
    assert np.abs(ours - theirs).max() <= 1.01
    gray = warp_batch(x[:, :, :, :1], m)
    assert gray.shape == (3, 16, 20, 1)


def test_make_tf_dataset_batches_scales_and_augments():
    x, y = _images(10), np.arange(10) % 3
    plain = list(make_tf_dataset(x, y, 4, None, shuffle=False))
    assert [len(b[1]) for b in plain] == [4, 4, 2]
    np.testing.assert_allclose(plain[0][0].numpy() * 255, x[:4], atol=1e-3)
    assert plain[0][1].numpy().tolist() == [0, 1, 2, 0]
    mirrored = next(iter(make_tf_dataset(x, y, 4, AugmentConfig(mirror=1.0), shuffle=False)))
    np.testing.assert_allclose(mirrored[0].numpy() * 255, x[:4, :, ::-1], atol=1e-3)
    cfg = AugmentConfig.course_default()
    ds = make_tf_dataset(x, y, 5, cfg, seed=1)
    e1, e2 = [b[0].numpy() for b in ds], [b[0].numpy() for b in ds]
    again = [b[0].numpy() for b in make_tf_dataset(x, y, 5, cfg, seed=1)]
    assert not np.allclose(e1[0], e2[0])  # new distortions (and order) each epoch
    np.testing.assert_allclose(e1[0], again[0])  # yet reproducible for the seed
    assert 0.0 <= e1[0].min() and e1[0].max() <= 1.0


def test_make_tf_dataset_rejects_bad_input():
    with pytest.raises(DatasetError, match="uint8 images"):
        make_tf_dataset(np.zeros((2, 4, 4, 3), np.float32), np.zeros(2), 1)
    with pytest.raises(DatasetError, match="2 images but labels of shape"):
        make_tf_dataset(np.zeros((2, 4, 4, 3), np.uint8), np.zeros(3), 1)
    with pytest.raises(DatasetError, match="batch_size must be a positive integer; received 0"):
        make_tf_dataset(np.zeros((2, 4, 4, 3), np.uint8), np.zeros(2), 0)
