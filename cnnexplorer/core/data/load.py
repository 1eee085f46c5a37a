"""`load_dataset(spec)`: one entry point for a built-in name, an HDF5 file, a `.npz` archive
or an image folder; the GUI, the CLI and the trainer all call this.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from cnnexplorer.core.errors import DatasetError
from cnnexplorer.core.file_kinds import HDF5_SUFFIXES, NPZ_SUFFIXES
from cnnexplorer.core.data.images import RESIZE_MODES
from cnnexplorer.core.data.arrays import load_npz, resize_all
from cnnexplorer.core.data.folder import load_image_folder
from cnnexplorer.core.data.generated import builtin_names, load_builtin
from cnnexplorer.core.data.hdf5 import load_hdf5
from cnnexplorer.core.safe_files import check_regular, display_name



def describe_kinds() -> str:
    return ("a built-in name (" + ", ".join(builtin_names()) + "), a course HDF5 file "
            "(.h5), a NumPy archive (.npz) or a folder of images with one subfolder per class")


def load_dataset(spec, image_size=None, resize: str = "stretch", progress=None):
    """Load a dataset from a built-in name or a path.

    Args:
        spec: "happy-faces" / "hand-signs" / "digits", or a path to a `.h5` file (either file
            of a train/test pair), a `.npz` archive, or an image folder.
        image_size: (h, w) or int to resize every image to; None keeps the source's size
            (folders: the first image's size, or 64x64 when it is larger than 256).
        resize: "stretch", "crop" (centre crop) or "pad".
        progress: optional callable(done, total, message), called from the loading thread.

    Raises:
        DatasetError: with a message naming the file/key/folder and what was found.
    """
    if resize not in RESIZE_MODES:
        raise DatasetError(f"resize must be one of {', '.join(RESIZE_MODES)}; "
                           f"received {resize!r}")
    if image_size is not None:
        size = (image_size, image_size) if isinstance(image_size, int) else tuple(image_size)
        if len(size) != 2 or not all(isinstance(v, int) and 1 <= v <= 4096 for v in size):
            raise DatasetError(f"image size must be an int or (height, width) in 1..4096; "
                               f"received {image_size!r}")
        image_size = size
    if isinstance(spec, str) and spec in builtin_names():
        ds = load_builtin(spec, progress)
        if image_size is not None and ds.input_shape[:2] != image_size:
            ds.x_train = resize_all(ds.x_train, image_size, resize, progress)
            if ds.x_test is not None:
                ds.x_test = resize_all(ds.x_test, image_size, resize, progress)
            ds.__dict__.pop("fingerprint", None)  # the pixels changed
        return ds
    try:
        path = Path(os.fspath(spec)).expanduser()
    except TypeError as exc:
        raise DatasetError(f"cannot load a dataset from {spec!r}; give {describe_kinds()}") \
            from exc
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise DatasetError(f"{display_name(path)}: no such file or folder (and not a built-in "
                           f"set; built-in sets are: {', '.join(builtin_names())})") from None
    except (OSError, ValueError):
        check_regular(path, DatasetError)  # says why: name too long, permission denied...
        raise
    if stat.S_ISDIR(st.st_mode):
        return load_image_folder(path, image_size, resize, progress)
    suffix = path.suffix.lower()
    if suffix in HDF5_SUFFIXES:
        return load_hdf5(path, image_size, resize, progress)
    if suffix in NPZ_SUFFIXES:
        return load_npz(path, image_size, resize, progress)
    raise DatasetError(f"{path}: cannot tell what kind of dataset this is (extension "
                       f"'{suffix or '(none)'}'); give {describe_kinds()}")
