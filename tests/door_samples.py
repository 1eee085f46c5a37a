"""Sample files for the Happy door tests: faces, bad images and bad models, made in tmp_path.

Not a test module: imported by tests/core/test_inference*.py, test_faces.py, test_door_*.py,
tests/test_cli_predict*.py, tests/test_cli_train_from_faces.py and
tests/gui/test_door*.py (pytest puts tests/ on sys.path through its conftest.py).
"""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

import numpy as np
from PIL import Image


def face(smile: bool, size: int = 64, seed: int = 0) -> np.ndarray:
    """A generated face from the "happy-faces" generator (smiling or frowning)."""
    from cnnexplorer.core.data.generated.happy import draw_face

    rng = np.random.default_rng(seed)
    img = draw_face(rng, 1.0 if smile else -1.0)
    if img.shape[0] != size:
        img = np.asarray(Image.fromarray(img).resize((size, size)))
    return img


def write_png(path: Path, arr: np.ndarray) -> Path:
    Image.fromarray(arr).save(path)
    return path


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return (struct.pack(">I", len(data)) + kind + data +
            struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))


def bomb_png(path: Path, side: int = 40_000) -> Path:
    """A tiny PNG whose header declares side x side pixels (1.6 G): a decompression bomb."""
    ihdr = struct.pack(">IIBBBBB", side, side, 8, 0, 0, 0, 0)
    body = zlib.compress(b"\x00" * 64)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", ihdr) +
                     _png_chunk(b"IDAT", body) + _png_chunk(b"IEND", b""))
    return path


def bad_images(folder: Path) -> dict[str, Path]:
    """Each awkward input of the acceptance list, keyed by a short name.

    Readable ones (16-bit, CMYK, RGBA, animated GIF, EXIF-rotated) must be judged; the
    others must each give a clear message.
    """
    folder.mkdir(parents=True, exist_ok=True)
    out = {}
    out["text"] = folder / "notes.png"
    out["text"].write_text("this is not an image\n")
    good = face(True, 64, 1)
    buf = io.BytesIO()
    Image.fromarray(good).save(buf, format="JPEG", quality=90)
    out["truncated"] = folder / "truncated.jpg"
    out["truncated"].write_bytes(buf.getvalue()[: len(buf.getvalue()) // 3])
    out["empty"] = folder / "empty.jpg"
    out["empty"].write_bytes(b"")
    out["tiny"] = write_png(folder / "one_pixel.png", np.zeros((1, 1, 3), np.uint8))
    sixteen = (np.linspace(0, 65535, 64 * 64).reshape(64, 64)).astype(np.uint16)
    out["16bit"] = folder / "sixteen.png"
    Image.fromarray(sixteen).save(out["16bit"])
    out["cmyk"] = folder / "cmyk.jpg"
    Image.fromarray(good).convert("CMYK").save(out["cmyk"], format="JPEG")
    rgba = np.dstack([good, np.full((64, 64), 128, np.uint8)])
    out["rgba"] = write_png(folder / "rgba.png", rgba)
    frames = [Image.fromarray(face(i % 2 == 0, 64, i)) for i in range(3)]
    out["gif"] = folder / "anim.gif"
    frames[0].save(out["gif"], save_all=True, append_images=frames[1:], duration=50, loop=0)
    out["exif"] = exif_rotated(folder / "rotated.jpg")
    out["bomb"] = bomb_png(folder / "bomb.png")
    return out


#: readable awkward files and the unreadable ones
READABLE = ("16bit", "cmyk", "rgba", "gif", "exif")
UNREADABLE = ("text", "truncated", "empty", "tiny", "bomb")


def exif_rotated(path: Path) -> Path:
    """A 40 wide x 20 high JPEG, left half red, tagged Orientation=6 (rotate 90 CW to view).

    Viewed correctly it is 20 wide x 40 high with the red half on top.
    """
    arr = np.zeros((20, 40, 3), np.uint8)
    arr[:, :20] = (220, 20, 20)
    arr[:, 20:] = (20, 20, 220)
    img = Image.fromarray(arr)
    exif = Image.Exif()
    exif[0x0112] = 6
    img.save(path, format="JPEG", exif=exif.tobytes(), quality=95)
    return path


def tiny_happy_model(seed: int = 0):
    """An untrained HappyModel (37,633 params), quick to build."""
    from cnnexplorer.core.arch import zoo  # noqa: F401 - registers the families
    from cnnexplorer.core.keras.build import build_keras_model
    from cnnexplorer.core.arch.zoo import registry

    return build_keras_model(registry.build("happymodel"), seed=seed)


def six_class_model_file(path: Path) -> Path:
    import keras

    inp = keras.Input((32, 32, 3))
    x = keras.layers.Conv2D(4, 3, name="conv")(inp)
    x = keras.layers.GlobalAveragePooling2D()(x)
    out = keras.layers.Dense(6, activation="softmax", name="fc6")(x)
    keras.Model(inp, out).save(path)
    return path


def lambda_model_file(path: Path) -> Path:
    import keras

    inp = keras.Input((16, 16, 3))
    x = keras.layers.Lambda(lambda t: t * 2.0, name="double")(inp)
    x = keras.layers.Flatten()(x)
    out = keras.layers.Dense(1, activation="sigmoid")(x)
    keras.Model(inp, out).save(path)
    return path


def not_a_model_file(path: Path) -> Path:
    path.write_bytes(b"PK\x03\x04 definitely not a zip archive of a model")
    return path


class BrightnessDoor:
    """A stand-in door model (no TensorFlow): each crop's happy probability is its mean
    brightness; `seen` keeps every batch it was given, to check what the door prepared."""

    def __init__(self, input_shape=(16, 16, 1)):
        self.input_shape = tuple(input_shape)
        self.seen: list = []

    def predict_batch(self, batch):
        self.seen.append(batch)
        return batch.mean(axis=(1, 2, 3))


class FixedFinder:
    """A stand-in face finder that finds the same faces in every image."""

    def __init__(self, faces):
        self.faces = faces

    def find(self, image, max_side=640):
        return list(self.faces)


def cartoon(seed: int, side: int) -> np.ndarray:
    """A happy-faces cartoon (smiling for an odd seed), resized to side x side."""
    import cv2

    from cnnexplorer.core.data.generated.happy import draw_face

    img = draw_face(np.random.default_rng(seed), 1.0 if seed % 2 else -1.0)
    return cv2.resize(img, (side, side), interpolation=cv2.INTER_LINEAR)


def frame_with(faces, size=(480, 640), grey=90) -> np.ndarray:
    """A frame of flat grey with cartoon faces pasted at (x, y, side, seed)."""
    frame = np.full((*size, 3), grey, np.uint8)
    for x, y, side, seed in faces:
        frame[y:y + side, x:x + side] = cartoon(seed, side)
    return frame
