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
at full size; any other format is box-reduced (`Image.reduce`) right after decoding, before
any full-size conversion, and a 16-bit or float image is brought to 8 bits a strip of rows at
a time. An image over BIG_PIXELS decodes while no other large one does (loader threads), the
header alone refuses an image under `min_side` a side or over MAX_PIXELS, and a progressive
JPEG of more than MAX_JPEG_SCANS scans is refused before decoding.
"""

from __future__ import annotations

import contextlib
import io
import math
import threading

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from cnnexplorer.core.errors import DatasetError
from cnnexplorer.core.file_kinds import IMAGE_EXTENSIONS
from cnnexplorer.core.safe_files import MAX_IMAGE_FILE_BYTES, display_name, open_regular

# Pillow's own guard warns at 89 M pixels and fails at twice that; fail at the warning level
# instead: a 64x64 classifier has no use for a 90-megapixel image and decoding one takes GBs.
MAX_PIXELS = Image.MAX_IMAGE_PIXELS or 89_478_485
RESIZE_MODES = ("stretch", "crop", "pad")
#: the only decoders Pillow may pick (JPEG also opens the multi-picture MPO files of phones)
ALLOWED_FORMATS = ("PNG", "JPEG", "BMP", "GIF", "WEBP")

# Our own check (MAX_PIXELS, read from the header before decoding) refuses everything Pillow's
# bomb guard would warn about or refuse, so Pillow's guard is turned off: its warning only
# added two lines of noise ahead of our one-line error. Pillow has no per-call switch for it,
# and a per-call `warnings.catch_warnings` is not thread-safe (loaders decode in threads).
Image.MAX_IMAGE_PIXELS = None


#: Image.info keys under which `_decode` keeps the size the file declares (before draft)
#: and its EXIF orientation (read before any conversion could drop it)
ORIGINAL_SIZE_KEY = "cnnexplorer.original_size"
ORIENTATION_KEY = "cnnexplorer.orientation"
#: images over this many pixels decode one at a time (a loader's threads otherwise decode
#: four 9400x9400 PNGs at once)
BIG_PIXELS = 16 * 2**20
_BIG_DECODES = threading.BoundedSemaphore(1)
#: pixels of a 16-bit or float image converted to 8 bits at a time
STRIP_PIXELS = 2**20
#: scans of a progressive JPEG: encoders write about 10 (Pillow 10, mozjpeg up to ~20); a
#: file repeating its scans 5,000 times made predict take 129 s
MAX_JPEG_SCANS = 100


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


#: ITU-R 601 luma weights, the ones Pillow uses for its "L" mode (the smile crops' grey)
LUMA = np.array([0.299, 0.587, 0.114], np.float32)


def luma(rgb: np.ndarray) -> np.ndarray:
    """uint8 RGB `(..., 3)` -> uint8 grey `(..., 1)`: round(0.299 R + 0.587 G + 0.114 B).

    The one grey of the application: the image reader (a file read as 1 channel) and the
    channel rule (`core.data.adapt.adapt_channels`: a colour frame into a grey model) both
    call it, so a face read from a file and the same face cut from a camera frame come out
    with equal pixels (float32 arithmetic both ways; before, the reader used float64 and the
    channel rule float32, and values on a .5 edge rounded apart).
    """
    lum = rgb[..., :3].astype(np.float32) @ LUMA
    return np.clip(np.rint(lum), 0, 255).astype(np.uint8)[..., None]


class ImageReadError(DatasetError):
    """An image file that cannot be read; the message names the file and the problem."""


def _describe(source) -> str:
    if isinstance(source, (bytes, bytearray, memoryview)):
        return f"<{len(source)} bytes in memory>"
    return display_name(source)


def _open(source, min_side: int = 0, keep=None) -> Image.Image:
    """Open `source` (path or bytes), decoded and reduced, with friendly errors.

    `keep(width, height)` -> (w, h): the least size the caller needs from an image of the
    file's size; the image is decoded and reduced (JPEG draft, then a box reduction that
    keeps at least twice that) before any full-size conversion. None keeps the full size.
    """
    name = _describe(source)
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
        if not data:
            raise ImageReadError(f"{name}: the data is empty (0 bytes), not an image")
        with io.BytesIO(data) as stream:
            return _decode(stream, name, min_side, keep)
    with open_regular(source, ImageReadError, max_bytes=MAX_IMAGE_FILE_BYTES,
                      what="an image") as stream:
        return _decode(stream, name, min_side, keep)


def _count_jpeg_scans(stream, limit: int) -> int:
    """Start-of-scan markers (FF DA) in the whole stream, counting stops past `limit`.

    Inside a JPEG's entropy-coded data every FF byte is followed by 00 or a restart marker,
    so FF DA only occurs as a real marker (an EXIF thumbnail's own scan adds one). Reading
    the bytes costs a fraction of what decoding one scan of a large image does.
    """
    where = stream.tell()
    stream.seek(0)
    count, tail = 0, b""
    try:
        while count <= limit:
            block = stream.read(1 << 20)
            if not block:
                break
            data = tail + block
            count += data.count(b"\xff\xda")
            tail = data[-1:]
    finally:
        stream.seek(where)
    return count


def _check_header(img: Image.Image, name: str, min_side: int, stream) -> None:
    """What the header alone refuses, before a pixel is decoded."""
    width, height = img.size
    # Pillow itself refuses over 2x MAX_IMAGE_PIXELS (DecompressionBombError) and only
    # warns above it; check the header's size before decoding so both cases fail here.
    if width * height > MAX_PIXELS:
        raise Image.DecompressionBombError(f"{width}x{height} = {width * height:,} pixels")
    if min(width, height) < min_side:  # an 89M x 1 PNG is not decoded to say it is thin
        raise ImageReadError(f"{name}: the image is {width}x{height} pixels; at least "
                             f"{min_side}x{min_side} is needed")
    if img.format in ("JPEG", "MPO") and (img.info.get("progressive")
                                          or img.info.get("progression")):
        scans = _count_jpeg_scans(stream, MAX_JPEG_SCANS)
        if scans > MAX_JPEG_SCANS:
            raise ImageReadError(
                f"{name}: a progressive JPEG with more than {MAX_JPEG_SCANS} scans (an encoder "
                f"writes about 10); each scan decodes the whole image again (a scan bomb); "
                f"refused")


def _decode(stream, name: str, min_side: int, keep) -> Image.Image:
    try:
        img: Image.Image = Image.open(stream, formats=ALLOWED_FORMATS)
        _check_header(img, name, min_side, stream)
        try:
            img.seek(0)  # first frame of an animation
        except EOFError:
            pass
        width, height = img.size
        img.info[ORIGINAL_SIZE_KEY] = img.size  # before draft() reduces it
        img.info[ORIENTATION_KEY] = _orientation(img)
        least = keep(width, height) if keep is not None else None
        if least is not None and img.format in ("JPEG", "MPO"):
            img.draft(img.mode, least)  # libjpeg's DCT scaling, never below `least`
        # Loader threads decode in parallel; a large image decodes alone, so four of them
        # never hold four full-size decodes at once.
        with _BIG_DECODES if width * height > BIG_PIXELS else contextlib.nullcontext():
            img.load()
            img = _reduced(_eight_bit(img, name), least)
    except ImageReadError:
        raise
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


def _orientation(img: Image.Image) -> int:
    try:
        return int(img.getexif().get(0x0112) or 1)
    except Exception:  # noqa: BLE001 - a broken EXIF block should not lose the picture
        return 1


_HIGH_DEPTH_MODES = ("I;16", "I;16L", "I;16B", "I;16N", "I", "F")


def _eight_bit(img: Image.Image, name: str) -> Image.Image:
    """The decoded image in a mode Pillow can reduce and resize: L, RGB or RGBA.

    16-bit and float images become L a strip of rows at a time (`_gray_strips`); palette,
    1-bit, LA/PA, CMYK, YCbCr and the rest go through Pillow's conversions. Alpha stays (it is
    composited on white after the reduction, in `_to_array`).
    """
    mode = img.mode
    info = dict(img.info)
    if mode in _HIGH_DEPTH_MODES:
        out = Image.fromarray(_gray_strips(img, name), "L")
    elif mode in ("L", "RGB", "RGBA"):
        return img
    elif mode == "P":
        out = img.convert("RGBA" if "transparency" in img.info else "RGB")
    elif mode in ("PA", "LA", "La", "RGBa"):
        out = img.convert("RGBA")
    elif mode == "1":
        out = img.convert("L")
    else:
        # CMYK, YCbCr, LAB, HSV ... Pillow knows how to get RGB from each.
        try:
            out = img.convert("RGB")
        except (ValueError, OSError) as exc:
            raise ImageReadError(f"{name}: cannot convert image mode {mode!r} to RGB "
                                 f"({exc})") from exc
    out.info.update(info)
    return out


def _gray_strips(img: Image.Image, name: str) -> np.ndarray:
    """A 16-bit, 32-bit or float image as uint8 grey, converted STRIP_PIXELS at a time.

    16-bit data ("I;16", or "I" from a PNG) is scaled by its range (>> 8), not clipped, so a
    16-bit photo does not come out white; 32-bit data beyond 65535 by >> 24; floats by their
    own minimum and maximum. A whole 9400x9400 16-bit PNG as int64 took 700 MB three times
    over; a strip at a time, the result is its only full-size array.
    """
    mode, (width, height) = img.mode, img.size
    rows = max(1, STRIP_PIXELS // max(1, width))
    spans = [(r, min(height, r + rows)) for r in range(0, height, rows)]

    def strip(r0, r1):
        return np.asarray(img.crop((0, r0, width, r1)))

    out = np.empty((height, width), np.uint8)
    if mode == "F":
        lo, hi, bad = np.inf, -np.inf, 0
        for r0, r1 in spans:
            part = strip(r0, r1)
            finite = np.isfinite(part)
            bad += int(part.size - np.count_nonzero(finite))
            if finite.any():
                lo, hi = min(lo, float(part[finite].min())), max(hi, float(part[finite].max()))
        if bad:
            raise ImageReadError(f"{name}: {bad:,} of {width * height:,} pixels are NaN or "
                                 f"infinite; a float image must hold finite values")
        for r0, r1 in spans:
            part = strip(r0, r1)
            out[r0:r1] = (part - lo) / (hi - lo) * 255.0 if hi > lo else 0
        return out
    shift = 8
    if mode == "I":
        _lo, top = img.getextrema()
        shift = 24 if top > 65535 else 8  # type: ignore[operator]  # one band: numbers
    for r0, r1 in spans:
        part = strip(r0, r1).astype(np.int64)
        out[r0:r1] = np.clip(part, 0, 65535 if shift == 8 else None) >> shift
    return out


def _reduced(img: Image.Image, least) -> Image.Image:
    """`img` box-reduced by the largest whole factor that keeps both sides at least twice
    `least` (w, h) (the "reducing gap" of Pillow's resize: the final resize still sees two
    source pixels per target pixel). RGBA is reduced premultiplied, so that compositing on
    white afterwards gives what compositing first would have."""
    if least is None:
        return img
    factor = min(img.size[0] // (2 * max(1, least[0])), img.size[1] // (2 * max(1, least[1])))
    if factor < 2:
        return img
    if img.mode == "RGBA":
        return img.convert("RGBa").reduce(factor).convert("RGBA")
    return img.reduce(factor)


def _to_array(img: Image.Image, channels: int, name: str) -> np.ndarray:
    """Convert any Pillow mode to uint8 with 1 or 3 channels (alpha composited on white)."""
    img = _eight_bit(img, name)
    if img.mode == "RGBA":
        background = Image.new("RGBA", img.size, (255, 255, 255, 255))
        img = Image.alpha_composite(background, img)
    if img.mode != "RGB":
        img = img.convert("RGB")  # L and the composited RGBA
    rgb = np.asarray(img, dtype=np.uint8)
    if channels == 3:
        return np.ascontiguousarray(rgb)
    return luma(rgb)


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


#: EXIF orientation -> the transpose that shows the image upright (ImageOps.exif_transpose's)
_TRANSPOSE = {2: Image.Transpose.FLIP_LEFT_RIGHT, 3: Image.Transpose.ROTATE_180,
              4: Image.Transpose.FLIP_TOP_BOTTOM, 5: Image.Transpose.TRANSPOSE,
              6: Image.Transpose.ROTATE_270, 7: Image.Transpose.TRANSVERSE,
              8: Image.Transpose.ROTATE_90}


def _upright(img: Image.Image, name: str, min_side: int) -> Image.Image:
    """The image turned as its EXIF orientation (read before decoding) says, refused when
    under `min_side` a side."""
    method = _TRANSPOSE.get(img.info.get(ORIENTATION_KEY, 1))
    if method is not None:
        info = dict(img.info)
        img = img.transpose(method)
        img.info.update(info)
    if min(img.size) < min_side:
        raise ImageReadError(f"{name}: the image is {img.size[0]}x{img.size[1]} pixels; at "
                             f"least {min_side}x{min_side} is needed")
    return img


def _reduced_scale(width: int, height: int, max_side: int, min_side: int) -> float:
    """The factor (at most 1) that brings the long side to `max_side` while the short side
    stays at least `min_side` (a 20000x20 strip is kept 8000x8, not made 1600x2)."""
    scale = max_side / max(width, height)
    if min_side:
        scale = max(scale, min_side / min(width, height))
    return min(1.0, scale)


def read_image_reduced(source, max_side: int, channels: int = 3, min_side: int = 0
                       ) -> tuple[np.ndarray, float]:
    """Read an image with its long side reduced to at most `max_side` pixels, as it is decoded.

    A phone photo or a 9000x9000 PNG is kept only at the reduced size (a JPEG is even decoded
    at a fraction of its size, `Image.draft`; other formats are box-reduced right after
    decoding, before any conversion), so judging many photos one after another holds one
    small array at a time. The short side is kept at least `min_side`. Returns the uint8
    `(H, W, channels)` array and the factor that takes its pixel coordinates back to the
    original image's (1.0 when nothing was reduced).

    Raises:
        ImageReadError: as `read_image`.
    """
    if channels not in (1, 3):
        raise DatasetError(f"channels must be 1 or 3; received {channels!r}")
    if max_side < 1:
        raise DatasetError(f"max_side must be at least 1; received {max_side!r}")
    name = _describe(source)

    def keep(width, height):
        scale = _reduced_scale(width, height, max_side, min_side)
        return max(1, math.ceil(width * scale)), max(1, math.ceil(height * scale))

    img = _open(source, min_side, keep)
    original_long_side = max(img.info.get(ORIGINAL_SIZE_KEY, img.size))
    img = _upright(img, name, min_side)
    scale = _reduced_scale(img.size[0], img.size[1], max_side, min_side)
    if scale < 1:
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
        size: (height, width) or one int for a square; None keeps the image's own size. The
            image is reduced as it is decoded (JPEG draft, then a box reduction keeping at
            least twice the size), before any full-size conversion.
        resize: "stretch", "crop" (centre crop) or "pad"; see `resize_array`.
        channels: 3 (RGB) or 1 (grayscale).
        min_side: refuse an image smaller than this on either side (from its header, before
            decoding).

    Raises:
        ImageReadError: naming the file and the problem (missing, empty, not a regular
            file, not an allowed format, corrupt/truncated, too large, too thin, a
            progressive-JPEG scan bomb, unsupported mode).
    """
    if channels not in (1, 3):
        raise DatasetError(f"channels must be 1 or 3; received {channels!r}")
    if resize not in RESIZE_MODES:
        raise DatasetError(f"resize must be one of {', '.join(RESIZE_MODES)}; received {resize!r}")
    name = _describe(source)
    if isinstance(size, int):
        size = (size, size)
    # Keep the larger side of the request on both sides, so that neither an EXIF rotation
    # nor a crop/pad resize can leave one side short.
    keep = None if size is None else (lambda width, height: (max(size),) * 2)
    img = _open(source, min_side, keep)
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
