"""Dataset model, loaders, generated sets and augmentation (no Qt; TensorFlow only lazily).

Public API (import from `cnnexplorer.core.data`):

- `Dataset` (base.py): uint8 NHWC images, int labels, class names, optional test split,
  `fingerprint`, `counts(split)`, `split_validation(fraction, seed)`, `skipped` files.
- `load_dataset(spec, image_size=None, resize="stretch", progress=None) -> Dataset` (load.py):
  spec is a built-in name or a path (.h5 course file or either file of a pair, .npz, image
  folder); `builtin_names()`; `BUILTINS` (generated/: titles and descriptions).
- `save_hdf5(dataset, path)`, `save_image_folder(dataset, folder)`, `save_npz(dataset, path)`
  (save.py): written so the loaders read them back unchanged.
- `AugmentConfig` (augment.py): strengths of mirror, crop, rotation, shear, color_shift,
  pca_color; `AugmentConfig.course_default()`, `.enabled`, `.to_dict()` / `.from_dict()`.
- `make_tf_dataset(x, y, batch_size, augment=None, shuffle=True, seed=0, basis=None,
  drop_remainder=False)` (pipeline.py): tf.data batches of (float32 images in [0, 1] by
  `images.scale_pixels`, int32 labels), augmented in parallel map calls, prefetched; for `model.fit`.
- `augment_preview(image, config, n=8, seed=0, basis=None) -> list[uint8 (H, W, C)]` and
  `pca_basis(x)` (augment.py): the same augmentation in numpy, for the GUI preview.
"""

from cnnexplorer.core.data.augment import STRENGTHS, AugmentConfig, augment_preview, pca_basis
from cnnexplorer.core.data.base import Dataset
from cnnexplorer.core.data.generated import BUILTINS, builtin_names
from cnnexplorer.core.data.load import load_dataset
from cnnexplorer.core.data.pipeline import make_tf_dataset
from cnnexplorer.core.data.save import save_hdf5, save_image_folder, save_npz

__all__ = ["Dataset", "AugmentConfig", "STRENGTHS", "augment_preview", "pca_basis",
           "make_tf_dataset", "load_dataset", "builtin_names", "BUILTINS", "save_hdf5",
           "save_image_folder", "save_npz"]
