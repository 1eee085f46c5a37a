"""The one image reader of the application: any file a user drops becomes uint8 `(H, W, C)`.

Every loader, the Happy door and the CLI read images through `read_image`, so that the same
file gives the same pixels everywhere and every failure gives the same kind of message:
`ImageReadError` (a `DatasetError`) naming the file and the problem.

Conversions, and why:
- EXIF orientation is applied first: phones store portrait photos sideways plus a tag.
- 16-bit images (PNG "I;16", "I") are scaled by their dtype range (>> 8), not clipped, so a
  16-bit photo does not come out white.
- Alpha is composited on white (what a viewer shows) rather than dropped, so transparent
  pixels do not turn into whatever colour the encoder left behind them.
- Palette, CMYK, LA, 1-bit and float images go through RGB/L conversions of Pillow.
- Animated GIF/WebP: the first frame.

Safety: the file is opened through `core.safe_files.open_regular` (no FIFO, device or folder
ever reaches Pillow, and no file over MAX_IMAGE_FILE_BYTES), and Pillow may only identify it
as one of ALLOWED_FORMATS: EPS content named `.png` is never handed to Pillow's EPS plugin
(which runs Ghostscript), nor DDS, PSD, ICNS or the other rarely used decoders. Whatever
Pillow raises while decoding one file becomes an `ImageReadError` naming that file.
When a target size is given, a JPEG is decoded at a reduced scale (`Image.draft`, the DCT
scaling of libjpeg) no smaller than that size, so a 9000x9000 photo never exists in memory
at full size.
"""

from __future__ import annotations

import io

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from cnnexplorer.core.errors import DatasetError
from cnnexplorer.core.safe_files import MAX_IMAGE_FILE_BYTES, display_name, open_regular

# Pillow's own guard warns at 89 M pixels and fails at twice that; fail at the warning level
# instead: a 64x64 classifier has no use for a 90-megapixel image and decoding one takes GBs.
MAX_PIXELS = Image.MAX_IMAGE_PIXELS or 89_478_485
IMAGE_EXTENSIONS = (".jpg", ".jpeg", ".png", ".bmp", ".gif", ".webp")
RESIZE_MODES = ("stretch", "crop", "pad")
#: the only decoders Pillow may pick (JPEG also opens the multi-picture MPO files of phones)
ALLOWED_FORMATS = ("PNG", "JPEG", "BMP", "GIF", "WEBP")

# Our own check (MAX_PIXELS, read from the header before decoding) refuses everything Pillow's
# bomb guard would warn about or refuse, so Pillow's guard is turned off: its warning only
# added two lines of noise ahead of our one-line error. Pillow has no per-call switch for it,
# and a per-call `warnings.catch_warnings` is not thread-safe (loaders decode in threads).
Image.MAX_IMAGE_PIXELS = None


#: Image.info key under which `_decode` keeps the size the file declares (before draft)
ORIGINAL_SIZE_KEY = "cnnexplorer.original_size"


def scale_pixels(x: np.ndarray) -> np.ndarray:
    """uint8 pixels 0..255 -> float32 in [0, 1], as the course feeds X / 255.

    The one pixel scaling of the application: training, evaluation, the tf.data pipeline and
    the door all call it, so a webcam frame reaches a model exactly as a training image did.
    One pass in float32 (no float64 temporary). A float32 array is taken as already scaled
    (cached activations of a frozen base in transfer learning) and returned as it is.
    """
    if x.dtype == np.float32:
        return x
    return np.multiply(x, np.float32(1 / 255), dtype=np.float32)


class ImageReadError(DatasetError):
    """An image file that cannot be read; the message names the file and the problem."""


def _describe(source) -> str:
    if isinstance(source, (bytes, bytearray, memoryview)):
        return f"<{len(source)} bytes in memory>"
    return display_name(source)


def _open(source, draft_size: int | tuple[int, int] | None = None) -> Image.Image:
    """Open `source` (path or bytes) fully decoded, with friendly errors.

    `draft_size`: (width, height) a JPEG may be decoded down to (never below), or one long
    side (the aspect ratio kept).
    """
    name = _describe(source)
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
        if not data:
            raise ImageReadError(f"{name}: the data is empty (0 bytes), not an image")
        with io.BytesIO(data) as stream:
            return _decode(stream, name, draft_size)
    with open_regular(source, ImageReadError, max_bytes=MAX_IMAGE_FILE_BYTES,
                      what="an image") as stream:
        return _decode(stream, name, draft_size)


def _decode(stream, name: str, draft_size) -> Image.Image:
    try:
        # Pillow itself refuses over 2x MAX_IMAGE_PIXELS (DecompressionBombError) and only
        # warns above it; check the header's size before decoding so both cases fail here.
        img = Image.open(stream, formats=ALLOWED_FORMATS)
        width, height = img.size
        if width * height > MAX_PIXELS:
            raise Image.DecompressionBombError(
                f"{width}x{height} = {width * height:,} pixels")
        try:
            img.seek(0)  # first frame of an animation
        except EOFError:
            pass
        img.info[ORIGINAL_SIZE_KEY] = img.size  # before draft() reduces it
        if isinstance(draft_size, int):  # a long side: keep the aspect ratio
            scale = draft_size / max(width, height)
            draft_size = (max(1, int(width * scale)), max(1, int(height * scale)))
        if draft_size is not None and img.format in ("JPEG", "MPO"):
            img.draft(img.mode, draft_size)
        img.load()
    except Image.DecompressionBombError as exc:
        raise ImageReadError(
            f"{name}: the image is too large to open safely (over {MAX_PIXELS:,} pixels; "
            f"a possible decompression bomb): {exc}") from exc
    except UnidentifiedImageError as exc:
        raise ImageReadError(f"{name}: not an image file this program reads (formats: "
                             f"{', '.join(ALLOWED_FORMATS)}; unknown, unsupported or "
                             f"refused format)") from exc
    except PermissionError as exc:
        raise ImageReadError(f"{name}: permission denied") from exc
    except (OSError, SyntaxError, ValueError, EOFError) as exc:
        # Pillow reports truncated/corrupt data as OSError ("image file is truncated",
        # "broken data stream"), SyntaxError (bad PNG chunk) or ValueError.
        raise ImageReadError(f"{name}: the image data is corrupt or truncated ({exc})") from exc
    except MemoryError as exc:
        raise ImageReadError(f"{name}: not enough memory to decode this image") from exc
    except Exception as exc:  # noqa: BLE001 - any decoder failure is this file's, not ours
        # A plugin can raise anything on hostile data (NotImplementedError for an unknown
        # DDS compression, struct.error, IndexError, ZeroDivisionError...).
        raise ImageReadError(f"{name}: the image cannot be decoded "
                             f"({type(exc).__name__}: {str(exc)[:200]})") from exc
    return img


def _to_array(img: Image.Image, channels: int, name: str) -> np.ndarray:
    """Convert any Pillow mode to uint8 with 1 or 3 channels (alpha composited on white)."""
    mode = img.mode
    if mode in ("I;16", "I;16L", "I;16B", "I;16N", "I", "F"):
        arr = np.asarray(img)
        if mode == "F":
            bad = int(np.count_nonzero(~np.isfinite(arr)))
            if bad:
                raise ImageReadError(f"{name}: {bad:,} of {arr.size:,} pixels are NaN or "
                                     f"infinite; a float image must hold finite values")
            lo, hi = float(np.nanmin(arr)), float(np.nanmax(arr))
            scaled = (arr - lo) / (hi - lo) * 255.0 if hi > lo else np.zeros_like(arr)
            gray = np.nan_to_num(scaled).astype(np.uint8)
        else:
            # 16-bit data, stored in "I;16" or (PNG) "I": scale its full range to 8 bits.
            arr = arr.astype(np.int64)
            if mode == "I" and arr.max(initial=0) > 65535:
                gray = (np.clip(arr, 0, None) >> 24).astype(np.uint8)
            else:
                gray = (np.clip(arr, 0, 65535) >> 8).astype(np.uint8)
        rgb = np.repeat(gray[:, :, None], 3, axis=2)
    else:
        if mode == "P":
            img = img.convert("RGBA" if "transparency" in img.info else "RGB")
        elif mode in ("PA", "LA", "La"):
            img = img.convert("RGBA")
        elif mode == "RGBa":
            img = img.convert("RGBA")
        if img.mode == "RGBA":
            background = Image.new("RGBA", img.size, (255, 255, 255, 255))
            img = Image.alpha_composite(background, img)
        if img.mode != "RGB":
            # CMYK, YCbCr, L, 1, LAB, HSV ... Pillow knows how to get RGB from each.
            try:
                img = img.convert("RGB")
            except (ValueError, OSError) as exc:
                raise ImageReadError(f"{name}: cannot convert image mode {mode!r} to RGB "
                                     f"({exc})") from exc
        rgb = np.asarray(img, dtype=np.uint8)
    if channels == 3:
        return np.ascontiguousarray(rgb)
    # ITU-R 601 luma, as Pillow's "L" conversion.
    gray = rgb[..., 0] * 0.299 + rgb[..., 1] * 0.587 + rgb[..., 2] * 0.114
    return np.clip(np.rint(gray), 0, 255).astype(np.uint8)[:, :, None]


def resize_array(arr: np.ndarray, size: tuple[int, int], resize: str = "stretch") -> np.ndarray:
    """Resize a uint8 `(H, W, C)` array to `size` = (height, width).

    Args:
        resize: "stretch" (ignore aspect ratio), "crop" (scale to cover, centre crop) or
            "pad" (scale to fit, pad with black to the target size).
    """
    if resize not in RESIZE_MODES:
        raise DatasetError(f"resize must be one of {', '.join(RESIZE_MODES)}; received {resize!r}")
    th, tw = int(size[0]), int(size[1])
    if th < 1 or tw < 1:
        raise DatasetError(f"image size must be positive; received {size!r}")
    h, w, c = arr.shape
    if (h, w) == (th, tw):
        return arr
    img = Image.fromarray(arr[:, :, 0] if c == 1 else arr)
    if resize == "stretch":
        out = img.resize((tw, th), Image.Resampling.BILINEAR, reducing_gap=2.0)
    elif resize == "crop":
        out = ImageOps.fit(img, (tw, th), Image.Resampling.BILINEAR)
    else:
        out = ImageOps.pad(img, (tw, th), Image.Resampling.BILINEAR, color=0)
    res = np.asarray(out, dtype=np.uint8)
    return res[:, :, None] if res.ndim == 2 else res


def _upright(img: Image.Image, name: str, min_side: int) -> Image.Image:
    """The image turned as its EXIF orientation says, refused when under `min_side` a side."""
    try:
        img = ImageOps.exif_transpose(img) or img
    except Exception:  # noqa: BLE001 - a broken EXIF block should not lose the picture
        pass
    if min(img.size) < min_side:
        raise ImageReadError(f"{name}: the image is {img.size[0]}x{img.size[1]} pixels; at "
                             f"least {min_side}x{min_side} is needed")
    return img


def read_image_reduced(source, max_side: int, channels: int = 3, min_side: int = 0
                       ) -> tuple[np.ndarray, float]:
    """Read an image with its long side reduced to at most `max_side` pixels, as it is decoded.

    A phone photo or a 9000x9000 PNG is kept only at the reduced size (a JPEG is even decoded
    at a fraction of its size, `Image.draft`), so judging many photos one after another holds
    one small array at a time. Returns the uint8 `(H, W, channels)` array and the factor that
    takes its pixel coordinates back to the original image's (1.0 when nothing was reduced).

    Raises:
        ImageReadError: as `read_image`.
    """
    if channels not in (1, 3):
        raise DatasetError(f"channels must be 1 or 3; received {channels!r}")
    if max_side < 1:
        raise DatasetError(f"max_side must be at least 1; received {max_side!r}")
    name = _describe(source)
    img = _open(source, max_side)
    original_long_side = max(img.info.get(ORIGINAL_SIZE_KEY, img.size))
    img = _upright(img, name, min_side)
    if max(img.size) > max_side:
        scale = max_side / max(img.size)
        target = (max(1, round(img.size[0] * scale)), max(1, round(img.size[1] * scale)))
        try:
            img = img.resize(target, Image.Resampling.BILINEAR, reducing_gap=2.0)
        except Exception as exc:  # noqa: BLE001 - an odd mode Pillow cannot resample
            raise ImageReadError(f"{name}: cannot reduce the image ({type(exc).__name__}: "
                                 f"{str(exc)[:200]})") from exc
    arr = _to_array(img, channels, name)
    return arr, original_long_side / max(arr.shape[0], arr.shape[1])


def read_image(source, size: tuple[int, int] | int | None = None, resize: str = "stretch",
               channels: int = 3, min_side: int = 0) -> np.ndarray:
    """Read an image file (path or bytes) as uint8 `(H, W, channels)`.

    Args:
        source: a path (str or Path) or the encoded bytes of an image file.
        size: (height, width) or one int for a square; None keeps the image's own size.
        resize: "stretch", "crop" (centre crop) or "pad"; see `resize_array`.
        channels: 3 (RGB) or 1 (grayscale).
        min_side: refuse an image smaller than this on either side (before resizing).

    Raises:
        ImageReadError: naming the file and the problem (missing, empty, not a regular
            file, not an allowed format, corrupt/truncated, too large, unsupported mode).
    """
    if channels not in (1, 3):
        raise DatasetError(f"channels must be 1 or 3; received {channels!r}")
    if resize not in RESIZE_MODES:
        raise DatasetError(f"resize must be one of {', '.join(RESIZE_MODES)}; received {resize!r}")
    name = _describe(source)
    if isinstance(size, int):
        size = (size, size)
    # JPEG's DCT scaling keeps both sides >= the request; ask for the larger side on both
    # so that an EXIF rotation cannot leave one side short.
    draft = None if size is None else (max(size),) * 2
    img = _open(source, draft)
    img = _upright(img, name, min_side)
    try:
        arr = _to_array(img, channels, name)
        if size is not None:
            arr = resize_array(arr, size, resize)
    except ImageReadError:
        raise
    except Exception as exc:  # noqa: BLE001 - an odd mode Pillow decoded but cannot convert
        raise ImageReadError(f"{name}: cannot convert the image ({type(exc).__name__}: "
                             f"{str(exc)[:200]})") from exc
    return arr


def is_image_name(path) -> bool:
    """Whether a file name has one of the extensions the folder loader reads."""
    return str(path).lower().endswith(IMAGE_EXTENSIONS)
