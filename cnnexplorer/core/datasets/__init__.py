"""Dataset model, loaders, generated sets and augmentation (no Qt; TensorFlow only lazily).

Public API (import from `cnnexplorer.core.datasets`):

- `Dataset` (base.py): uint8 NHWC images, int labels, class names, optional test split,
  `fingerprint`, `counts(split)`, `split_validation(fraction, seed)`, `skipped` files.
- `AugmentConfig` (augment.py): strengths of mirror, crop, rotation, shear, color_shift,
  pca_color; `AugmentConfig.course_default()`, `.enabled`, `.to_dict()` / `.from_dict()`.
- `make_tf_dataset(x, y, batch_size, augment=None, shuffle=True, seed=0, scale=1/255,
  basis=None, drop_remainder=False)` (pipeline.py): tf.data batches of (float32 images * scale,
  int32 labels), augmented in parallel map calls, prefetched; for `model.fit`.
- `augment_preview(image, config, n=8, seed=0, basis=None) -> list[uint8 (H, W, C)]` and
  `pca_basis(x)` (augment.py): the same augmentation in numpy, for the GUI preview.
"""

from .augment import STRENGTHS, AugmentConfig, augment_preview, pca_basis
from .base import Dataset
from .pipeline import make_tf_dataset

__all__ = ["Dataset", "AugmentConfig", "STRENGTHS", "augment_preview", "pca_basis",
           "make_tf_dataset"]
