"""Image decoding: the one place where files, bytes, PIL images and arrays
become RGB pixel arrays, and where those are resized to the network input.

``decode_image`` returns an (H, W, 3) uint8 RGB array for any supported
source, or raises ``ImageError`` naming the source. It never returns a
partial or guessed image: truncated files fail, pixel values outside the
range of their type fail, and sizes outside ``MIN_SIDE``..``MAX_SIDE`` fail.

``prepare_batch`` decodes and resizes a list of sources to the square input
of the network. Training (``signrules.attributes.gtsrb``) and inference use
the same ``resize_square``, so both see pixels resampled the same way.
"""

from __future__ import annotations

import io
import logging
import os
import struct
import warnings
import zlib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import BinaryIO, TypeAlias

import numpy as np

# Importing a plugin registers its format. Image.open registers only BMP, GIF,
# JPEG, PNG and PPM by itself and raises KeyError for other names in formats.
from PIL import (  # noqa: F401
    ExifTags,
    Image,
    ImageFile,
    ImageOps,
    TiffImagePlugin,
    UnidentifiedImageError,
    WebPImagePlugin,
)
from signrules.attributes.errors import ImageError

__all__ = [
    "BACKGROUND_GRAY",
    "MAX_SIDE",
    "MIN_SIDE",
    "RESAMPLE",
    "ImageSource",
    "centre_zoom",
    "decode_image",
    "decode_pil",
    "prepare_batch",
    "resize_square",
]

logger = logging.getLogger(__name__)

ImageSource: TypeAlias = (
    str | os.PathLike | bytes | bytearray | memoryview | Image.Image | np.ndarray
)

#: Smallest accepted width or height in pixels. GTSRB's smallest crops are 15 px.
MIN_SIDE = 10

#: Largest accepted width or height in pixels.
MAX_SIDE = 8192

#: Gray level that transparent pixels are composited onto. A transparent
#: background has no colour of its own. Compositing onto white would merge it
#: with white sign plates, and onto black with black rims and digits. Mid-gray
#: is close to neither, so the outline of the sign stays visible.
BACKGROUND_GRAY = 128

#: Filter of every resize. PIL antialiases its resize filters (all but
#: NEAREST) when downscaling. Bicubic rings less than Lanczos when a small
#: crop is upscaled.
RESAMPLE = Image.Resampling.BICUBIC

# Pillow's documentation of Image.resize states that a reducing_gap of 3.0 or
# more gives results indistinguishable from plain resampling in most cases,
# while a large image is first reduced cheaply by an integer factor.
_REDUCING_GAP = 3.0

# Raster formats that photographs and sign crops come in, PPM first because
# the GTSRB files are PPM and Image.open tries the formats in this order.
# Other formats Pillow can open are rejected on purpose. EPS, for example,
# runs Ghostscript on load. Pillow opens MPO files (multi-picture JPEGs from
# phones) through its JPEG format and reports them as "MPO".
_FORMATS = ("PPM", "PNG", "JPEG", "BMP", "GIF", "TIFF", "WEBP")

# What Pillow raises from Image.open and load() on corrupt data varies by
# plugin. UnidentifiedImageError and "image file is truncated" are OSErrors.
_DECODE_ERRORS = (OSError, SyntaxError, ValueError, EOFError, IndexError, struct.error, zlib.error)

_SIXTEEN_BIT_MODES = ("I;16", "I;16L", "I;16B", "I;16N")
_ALPHA_MODES = ("RGBA", "LA", "PA", "RGBa", "La")
_OPAQUE_MODES = ("RGB", "RGBX", "L", "1", "P", "CMYK", "YCbCr", "HSV")


def decode_image(source: ImageSource, *, min_size: int | None = None) -> np.ndarray:
    """Decode an image to an (H, W, 3) uint8 RGB array.

    ``source`` is a file path, the bytes of an encoded file, a PIL image, or
    a numpy array of shape (H, W), (H, W, 1), (H, W, 3) or (H, W, 4) with
    dtype uint8, uint16 or float in [0, 1]. A C-contiguous uint8 (H, W, 3)
    array is returned as is, not copied. The EXIF orientation is applied,
    gray images are replicated to three channels, transparent pixels are
    composited onto ``BACKGROUND_GRAY``, and 16-bit values are scaled (not
    clipped) to 8 bits. An animated file gives its first frame.

    With ``min_size``, a JPEG is decoded at the smallest scale of 1/2, 1/4 or
    1/8 whose sides stay at least ``min_size`` pixels, which is much faster
    for images that are downscaled afterwards anyway.

    Raises ImageError naming the file (or the kind of source) when the
    source cannot be decoded or a side is outside MIN_SIDE..MAX_SIDE pixels.
    """
    if isinstance(source, np.ndarray):
        return _array_to_rgb(source, "<numpy array>")

    # np.asarray of a PIL image is read-only, and torch.from_numpy warns on
    # read-only arrays, so the pixels are copied into a writable array.
    image = decode_pil(source, min_size=min_size)
    return np.array(image)


def decode_pil(source: ImageSource, *, min_size: int | None = None) -> Image.Image:
    """Decode an image to a PIL image in mode RGB; see ``decode_image``.

    A PIL image that is already RGB and opaque is returned as is, not copied.
    """
    if isinstance(source, np.ndarray):
        return Image.fromarray(_array_to_rgb(source, "<numpy array>"))

    if isinstance(source, Image.Image):
        name = getattr(source, "filename", "") or "<PIL image>"
        _check_side_lengths(source.size, name)
        with _decoding(name):
            source.load()
            image = _apply_exif_orientation(source)
        return _pil_to_rgb(image, name)

    if isinstance(source, (bytes, bytearray, memoryview)):
        name = "<bytes>"
        if len(source) == 0:
            raise ImageError("empty image data (0 bytes)", path=name)
        return _decode_file(io.BytesIO(source), name, min_size)

    if isinstance(source, (str, os.PathLike)):
        name = os.fspath(source)
        try:
            with open(source, "rb") as file:
                if os.fstat(file.fileno()).st_size == 0:
                    raise ImageError("file is empty (0 bytes)", path=name)
                return _decode_file(file, name, min_size)
        except FileNotFoundError:
            raise ImageError("file not found", path=name) from None
        except IsADirectoryError:
            raise ImageError("is a folder, not an image file", path=name) from None
        except PermissionError:
            raise ImageError("permission denied reading the file", path=name) from None

    raise ImageError(
        f"unsupported image source of type {type(source).__name__}; "
        "pass a path, bytes, a PIL image or a numpy array"
    )


def prepare_batch(images: Sequence[ImageSource], size: int = 32) -> np.ndarray:
    """Decode and resize images to the network input, shape (N, size, size, 3) uint8.

    Each image is resized to a square without keeping its aspect ratio. The
    GTSRB images were resized the same way, and sign crops are roughly
    square, so a plain resize matches what the network is trained on.
    Letterboxing would add borders that training never shows.
    """
    if size < 1:
        raise ValueError(f"size must be a positive number of pixels, got {size}")

    batch = np.empty((len(images), size, size, 3), dtype=np.uint8)
    for index, source in enumerate(images):
        # A JPEG is decoded at a reduced DCT scale only as far as leaves the
        # resize its reducing_gap of headroom.
        image = decode_pil(source, min_size=int(size * _REDUCING_GAP))
        batch[index] = resize_square(image, size)
    return batch


def centre_zoom(images: np.ndarray, fraction: float) -> np.ndarray:
    """Return the centre ``fraction`` of each square uint8 image (N, S, S, 3), resized back to S pixels."""
    if not 0.0 < fraction <= 1.0:
        raise ValueError(f"fraction must be in (0, 1], got {fraction}")
    side = images.shape[1]
    inner = max(1, int(round(side * fraction)))
    start = (side - inner) // 2
    zoomed = np.empty_like(images)
    for index, image in enumerate(images):
        crop = Image.fromarray(image[start : start + inner, start : start + inner])
        zoomed[index] = np.asarray(crop.resize((side, side), Image.BICUBIC))
    return zoomed


def resize_square(
    image: Image.Image, size: int, *, box: tuple[float, float, float, float] | None = None
) -> np.ndarray:
    """Resize an RGB PIL image (or its ``box`` region) to a (size, size, 3) uint8 array.

    ``box`` is (left, top, right, bottom) in pixel coordinates and may be
    fractional. Pillow resamples exactly that region, so no rounding to whole
    pixels happens before resizing.
    """
    resized = image.resize((size, size), RESAMPLE, box=box, reducing_gap=_REDUCING_GAP)
    return np.array(resized)


def _decode_file(file: BinaryIO, name: str, min_size: int | None) -> Image.Image:
    with _decoding(name) as caught:
        try:
            image = Image.open(file, formats=_FORMATS)
        except UnidentifiedImageError:
            raise ImageError(
                f"not an image in a supported format ({', '.join(_FORMATS)})", path=name
            ) from None

        # The header gives the size, so an image out of range is rejected
        # before its pixels are decoded.
        _check_side_lengths(image.size, name)
        _check_bomb_warnings(caught, image.size, name)

        if min_size is not None and image.format in ("JPEG", "MPO"):
            image.draft(None, (min_size, min_size))
        image.load()
        image = _apply_exif_orientation(image)

    return _pil_to_rgb(image, name)


@contextmanager
def _decoding(name: str) -> Iterator[list[warnings.WarningMessage]]:
    """Turn Pillow's decoding errors into ImageError naming the source.

    Yields the list of warnings that Pillow emits meanwhile. On leaving, a
    decompression-bomb warning becomes an ImageError, and any other warning
    (for example corrupt EXIF data in an otherwise readable file) is logged.
    """
    # Pillow would otherwise fill the missing rest of a truncated file with
    # gray and return it without an error.
    if ImageFile.LOAD_TRUNCATED_IMAGES:
        raise ImageError(
            "PIL.ImageFile.LOAD_TRUNCATED_IMAGES is True in this process, so truncated "
            "files would decode without an error; set it back to False",
            path=name,
        )

    # NOTE: catch_warnings changes process-wide state and is not thread-safe
    # on Python 3.11, so a warning from another thread that decodes at the
    # same time may be collected here.
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            yield caught
        except Image.DecompressionBombError as error:
            raise ImageError(f"image too large: {error}", path=name) from None
        except _DECODE_ERRORS as error:
            raise ImageError(f"cannot decode image: {error}", path=name) from None

    _check_bomb_warnings(caught, None, name)
    for warning in caught:
        logger.warning("%s: %s", name, warning.message)


def _check_bomb_warnings(
    caught: list[warnings.WarningMessage], size: tuple[int, int] | None, name: str
) -> None:
    for warning in caught:
        if issubclass(warning.category, Image.DecompressionBombWarning):
            size_text = f" ({size[0]}x{size[1]} pixels)" if size else ""
            raise ImageError(f"image too large{size_text}: {warning.message}", path=name)


def _check_side_lengths(size: tuple[int, int], name: str) -> None:
    width, height = size
    if min(width, height) < MIN_SIDE:
        raise ImageError(
            f"image of {width}x{height} pixels is too small; "
            f"both sides must be at least {MIN_SIDE} pixels",
            path=name,
        )
    if max(width, height) > MAX_SIDE:
        raise ImageError(
            f"image of {width}x{height} pixels is too large; "
            f"both sides must be at most {MAX_SIDE} pixels, so crop the sign first",
            path=name,
        )


def _apply_exif_orientation(image: Image.Image) -> Image.Image:
    # Reading the tag first avoids the full copy that exif_transpose makes
    # even when the image is upright.
    orientation = image.getexif().get(ExifTags.Base.Orientation, 1)
    if orientation not in (2, 3, 4, 5, 6, 7, 8):
        return image
    return ImageOps.exif_transpose(image)


# Modes without colour. Sign colours cannot be read from them, so such an
# image is decoded with a warning that its colour attributes are unsure.
_GREY_MODES = frozenset({"1", "L", "LA", "La", "I", "F", "I;16", "I;16B", "I;16L", "I;16N"})


def _pil_to_rgb(image: Image.Image, name: str) -> Image.Image:
    mode = image.mode
    if mode == "RGB" and "transparency" not in image.info:
        return image
    if mode in _GREY_MODES:
        logger.warning("%s: greyscale image (mode %s): sign colours cannot be read from it, "
                       "so colour attributes and the signs they decide are unreliable", name, mode)

    # 16-bit and 32-bit gray modes are scaled in numpy, because Pillow's
    # convert("L") clips them to 255 instead of scaling.
    if mode in _SIXTEEN_BIT_MODES or mode in ("I", "F"):
        return Image.fromarray(_array_to_rgb(_wide_gray_to_array(image, name), name))

    # Palette, gray and RGB images may carry a transparent colour in
    # info["transparency"] instead of an alpha channel. convert("RGBA") turns
    # either form into alpha. Pillow converts premultiplied La only to LA.
    if mode in _ALPHA_MODES or "transparency" in image.info:
        if mode == "La":
            image = image.convert("LA")
        rgba = np.asarray(image.convert("RGBA"))
        return Image.fromarray(_composite_on_gray(rgba))

    # Pillow converts CMYK without a colour profile, which is close enough for
    # sign colours. Other modes, LAB among them, are rejected: Pillow's
    # convert("RGB") copies LAB values into the channels instead of
    # converting the colours.
    if mode not in _OPAQUE_MODES:
        raise ImageError(
            f"unsupported image mode {mode}; expected one of "
            f"{', '.join((*_OPAQUE_MODES, *_ALPHA_MODES, *_SIXTEEN_BIT_MODES, 'I', 'F'))}",
            path=name,
        )
    return image.convert("RGB")


def _wide_gray_to_array(image: Image.Image, name: str) -> np.ndarray:
    # The array keeps its mode's value range: uint16 for I;16*, int32 for I
    # and float32 for F. _array_to_rgb checks and scales it.
    array = np.asarray(image)
    if image.mode != "I":
        return array

    # Mode I has no fixed range. 16-bit PNGs opened as I by older Pillow
    # versions hold 0..65535, so mode I is read as 16 bits.
    if array.size and (array.min() < 0 or array.max() > 65535):
        raise ImageError(
            f"32-bit integer pixel values in [{array.min()}, {array.max()}] are outside "
            "0..65535, so they cannot be read as 16-bit; convert the image to 8 or 16 bits",
            path=name,
        )
    return array.astype(np.uint16)


def _array_to_rgb(array: np.ndarray, name: str) -> np.ndarray:
    if array.ndim == 2:
        array = array[:, :, np.newaxis]
    if array.ndim != 3 or array.shape[2] not in (1, 3, 4):
        raise ImageError(
            f"array of shape {array.shape} is not an image; "
            "expected (H, W), (H, W, 1), (H, W, 3) or (H, W, 4)",
            path=name,
        )
    _check_side_lengths((array.shape[1], array.shape[0]), name)

    array = _to_uint8(array, name)

    channels = array.shape[2]
    if channels == 1:
        array = np.repeat(array, 3, axis=2)
    elif channels == 4:
        array = _composite_on_gray(array)
    return np.ascontiguousarray(array)


def _to_uint8(array: np.ndarray, name: str) -> np.ndarray:
    kind, itemsize = array.dtype.kind, array.dtype.itemsize
    if kind == "u" and itemsize == 1:
        return array

    # Mode I;16B gives big-endian uint16, so the byte order is not checked.
    if kind == "u" and itemsize == 2:
        # 65535 maps to 255 and 257 * k to k; rounding keeps the mapping fair.
        return np.rint(array / 257.0).astype(np.uint8)

    if np.issubdtype(array.dtype, np.floating):
        if array.size and not np.isfinite(array).all():
            raise ImageError("float pixel values include NaN or infinity", path=name)
        low, high = (float(array.min()), float(array.max())) if array.size else (0.0, 0.0)
        if low < 0.0 or high > 1.0:
            raise ImageError(
                f"float pixel values must lie in [0, 1], got [{low:g}, {high:g}]; "
                "divide by 255 if they are 8-bit values",
                path=name,
            )
        return np.rint(array * 255.0).astype(np.uint8)

    raise ImageError(
        f"unsupported pixel type {array.dtype}; expected uint8, uint16 or float in [0, 1]",
        path=name,
    )


def _composite_on_gray(rgba: np.ndarray) -> np.ndarray:
    # Exact integer compositing: rgb * a + gray * (255 - a), divided by 255
    # with rounding.
    alpha = rgba[:, :, 3:4].astype(np.uint32)
    rgb = rgba[:, :, :3].astype(np.uint32)
    blended = (rgb * alpha + BACKGROUND_GRAY * (255 - alpha) + 127) // 255
    return blended.astype(np.uint8)
