"""Image decoding: every unusual input decodes to exact pixels or raises ImageError."""

from __future__ import annotations

import io
import time
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageFile
from signrules.attributes.decode import (
    BACKGROUND_GRAY,
    MAX_SIDE,
    MIN_SIDE,
    decode_image,
    decode_pil,
    prepare_batch,
    resize_square,
)
from signrules.attributes.errors import ImageError

from tests.conftest import GTSRB_TRAINING

GTSRB_PPM = GTSRB_TRAINING / "Images" / "00014" / "00000_00000.ppm"


def pattern(height: int = 24, width: int = 30) -> np.ndarray:
    """Return an RGB uint8 image whose every pixel differs from its neighbours."""
    rows, columns = np.mgrid[0:height, 0:width]
    return np.stack(
        [(rows * 7) % 256, (columns * 11) % 256, (rows * columns) % 256], axis=2
    ).astype(np.uint8)


def save(image: Image.Image, path: Path, **params) -> Path:
    image.save(path, **params)
    return path


def encode(image: Image.Image, format: str, **params) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format, **params)
    return buffer.getvalue()


def blend(value: int, alpha: int) -> int:
    """Composite one 8-bit value onto the background gray, rounded."""
    return (value * alpha + BACKGROUND_GRAY * (255 - alpha) + 127) // 255


# --- lossless files decode to the exact pixels --------------------------------


@pytest.mark.parametrize("suffix", [".ppm", ".png", ".bmp", ".tiff", ".webp"])
def test_lossless_file_exact_pixels(tmp_path, suffix):
    expected = pattern()
    params = {"lossless": True} if suffix == ".webp" else {}
    path = save(Image.fromarray(expected), tmp_path / f"image{suffix}", **params)

    decoded = decode_image(path)

    assert decoded.dtype == np.uint8
    assert decoded.shape == (24, 30, 3)
    np.testing.assert_array_equal(decoded, expected)


def test_source_kinds_agree(tmp_path):
    expected = pattern()
    path = save(Image.fromarray(expected), tmp_path / "image.png")

    sources = [
        path,
        str(path),
        path.read_bytes(),
        bytearray(path.read_bytes()),
        memoryview(path.read_bytes()),
        Image.open(path),
        expected,
    ]
    for source in sources:
        np.testing.assert_array_equal(decode_image(source), expected)


def test_decoded_array_writable(tmp_path):
    path = save(Image.fromarray(pattern()), tmp_path / "image.png")

    assert decode_image(path).flags.writeable


def test_real_gtsrb_ppm():
    decoded = decode_image(GTSRB_PPM)

    assert decoded.shape == (32, 32, 3)
    np.testing.assert_array_equal(decoded, np.asarray(Image.open(GTSRB_PPM)))


def test_jpeg_close_to_original(tmp_path):
    expected = np.zeros((40, 40, 3), dtype=np.uint8)
    expected[:, :20] = (200, 30, 30)
    expected[:, 20:] = (30, 30, 200)
    path = save(Image.fromarray(expected), tmp_path / "image.jpg", quality=95)

    decoded = decode_image(path).astype(int)

    # JPEG is lossy, so compare away from the colour edge with a tolerance.
    assert np.abs(decoded[:, :16] - expected[:, :16]).max() <= 6
    assert np.abs(decoded[:, 24:] - expected[:, 24:]).max() <= 6


# --- corrupt, truncated and non-image files raise ImageError naming the file ----


@pytest.mark.parametrize("suffix", [".ppm", ".png", ".jpg", ".gif", ".bmp"])
def test_truncated_file_rejected(tmp_path, suffix):
    # Noise compresses badly, so half the file cuts into the pixel data.
    noise = np.random.default_rng(0).integers(0, 256, (40, 40, 3), dtype=np.uint8)
    data = encode(Image.fromarray(noise), Image.registered_extensions()[suffix])
    path = tmp_path / f"cut{suffix}"
    path.write_bytes(data[: len(data) // 2])

    with pytest.raises(ImageError, match="truncated") as caught:
        decode_image(path)

    assert str(path) in str(caught.value)
    assert caught.value.path == str(path)


def test_corrupt_png_data_rejected(tmp_path):
    data = bytearray(encode(Image.fromarray(pattern()), "PNG"))
    middle = len(data) // 2
    data[middle : middle + 8] = b"\xff" * 8
    path = tmp_path / "corrupt.png"
    path.write_bytes(bytes(data))

    with pytest.raises(ImageError, match="cannot decode") as caught:
        decode_image(path)

    assert str(path) in str(caught.value)


def test_corrupt_jpeg_header_rejected(tmp_path):
    data = bytearray(encode(Image.fromarray(pattern()), "JPEG"))
    data[20:200] = bytes(180)
    path = tmp_path / "corrupt.jpg"
    path.write_bytes(bytes(data))

    with pytest.raises(ImageError) as caught:
        decode_image(path)

    assert str(path) in str(caught.value)


@pytest.mark.parametrize(
    "content, message",
    [
        (b"", "empty"),
        (b"stop sign, 60 cm, red\n", "not an image in a supported format"),
        (b"P6\n32 32\n255\n", "truncated"),
        (b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 32 32\n", "not an image"),
    ],
    ids=["empty", "text", "ppm-header-only", "eps"],
)
def test_non_image_file_rejected(tmp_path, content, message):
    path = tmp_path / "file.img"
    path.write_bytes(content)

    with pytest.raises(ImageError, match=message) as caught:
        decode_image(path)

    assert str(path) in str(caught.value)


def test_missing_file_rejected(tmp_path):
    path = tmp_path / "absent.png"

    with pytest.raises(ImageError, match="file not found") as caught:
        decode_image(path)

    assert str(path) in str(caught.value)


def test_folder_rejected(tmp_path):
    with pytest.raises(ImageError, match="folder") as caught:
        decode_image(tmp_path)

    assert str(tmp_path) in str(caught.value)


def test_empty_bytes_rejected():
    with pytest.raises(ImageError, match="<bytes>: empty"):
        decode_image(b"")


def test_corrupt_bytes_named():
    data = encode(Image.fromarray(pattern()), "PNG")

    with pytest.raises(ImageError, match="<bytes>"):
        decode_image(data[: len(data) // 2])


def test_unsupported_source_type_rejected():
    with pytest.raises(ImageError, match="unsupported image source of type int"):
        decode_image(42)


def test_load_truncated_images_setting_rejected(tmp_path, monkeypatch):
    path = save(Image.fromarray(pattern()), tmp_path / "image.png")
    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", True)

    with pytest.raises(ImageError, match="LOAD_TRUNCATED_IMAGES") as caught:
        decode_image(path)

    assert str(path) in str(caught.value)


# --- modes: gray, alpha, palette, CMYK, 16-bit, EXIF, animation ---------------


def test_grayscale_replicated(tmp_path):
    gray = pattern()[:, :, 0]
    path = save(Image.fromarray(gray, "L"), tmp_path / "gray.png")

    decoded = decode_image(path)

    for channel in range(3):
        np.testing.assert_array_equal(decoded[:, :, channel], gray)


def test_grayscale_warns_that_colours_are_lost(tmp_path, caplog):
    path = save(Image.fromarray(pattern()[:, :, 0], "L"), tmp_path / "gray.png")
    colour = save(Image.fromarray(pattern()), tmp_path / "colour.png")

    with caplog.at_level("WARNING", logger="signrules.attributes.decode"):
        decode_image(colour)
        assert not caplog.records
        decode_image(path)

    assert len(caplog.records) == 1
    assert "gray.png" in caplog.records[0].getMessage()
    assert "colour" in caplog.records[0].getMessage()


def test_centre_zoom_keeps_the_centre():
    from signrules.attributes.decode import centre_zoom

    images = np.stack([pattern(32, 32), pattern(32, 32)[::-1]])

    np.testing.assert_array_equal(centre_zoom(images, 1.0), images)
    half = centre_zoom(images, 0.5)
    assert half.shape == images.shape
    # The centre 16 pixels fill the image: each pixel of the crop becomes
    # a 2 x 2 block, so block means equal the crop's pixels nearly.
    blocks = half.astype(float).reshape(2, 16, 2, 16, 2, 3).mean(axis=(2, 4))
    assert np.abs(blocks - images[:, 8:24, 8:24]).mean() < 12
    with pytest.raises(ValueError, match="fraction"):
        centre_zoom(images, 0.0)


def test_bilevel_image(tmp_path):
    bits = np.zeros((20, 20), dtype=bool)
    bits[:, 10:] = True
    path = save(Image.fromarray(bits), tmp_path / "bits.png")

    decoded = decode_image(path)

    assert (decoded[:, :10] == 0).all()
    assert (decoded[:, 10:] == 255).all()


def test_rgba_composited_on_gray(tmp_path):
    rgba = np.zeros((12, 12, 4), dtype=np.uint8)
    rgba[..., :3] = (200, 10, 60)
    rgba[:4, :, 3] = 255
    rgba[4:8, :, 3] = 0
    rgba[8:, :, 3] = 100
    path = save(Image.fromarray(rgba, "RGBA"), tmp_path / "alpha.png")

    decoded = decode_image(path)

    np.testing.assert_array_equal(decoded[0, 0], (200, 10, 60))
    np.testing.assert_array_equal(decoded[5, 0], (BACKGROUND_GRAY,) * 3)
    np.testing.assert_array_equal(decoded[9, 0], [blend(v, 100) for v in (200, 10, 60)])


def test_gray_alpha_composited_on_gray(tmp_path):
    la = np.zeros((12, 12, 2), dtype=np.uint8)
    la[..., 0] = 250
    la[:6, :, 1] = 255
    la[6:, :, 1] = 40
    path = save(Image.fromarray(la, "LA"), tmp_path / "la.png")

    decoded = decode_image(path)

    np.testing.assert_array_equal(decoded[0, 0], (250, 250, 250))
    np.testing.assert_array_equal(decoded[11, 0], (blend(250, 40),) * 3)


def palette_image() -> Image.Image:
    indices = np.zeros((12, 12), dtype=np.uint8)
    indices[:6] = 1
    indices[:, :3] = 2
    image = Image.fromarray(indices, "P")
    image.putpalette([255, 0, 0, 0, 255, 0, 0, 0, 255] + [0] * (253 * 3))
    return image


def test_palette_image(tmp_path):
    path = save(palette_image(), tmp_path / "palette.png")

    decoded = decode_image(path)

    np.testing.assert_array_equal(decoded[0, 6], (0, 255, 0))
    np.testing.assert_array_equal(decoded[11, 6], (255, 0, 0))
    np.testing.assert_array_equal(decoded[11, 0], (0, 0, 255))


@pytest.mark.parametrize("suffix", [".png", ".gif"])
def test_palette_transparency_composited(tmp_path, suffix):
    path = save(palette_image(), tmp_path / f"palette{suffix}", transparency=0)

    decoded = decode_image(path)

    np.testing.assert_array_equal(decoded[11, 6], (BACKGROUND_GRAY,) * 3)
    np.testing.assert_array_equal(decoded[0, 6], (0, 255, 0))
    np.testing.assert_array_equal(decoded[11, 0], (0, 0, 255))


def test_rgb_transparent_colour_composited(tmp_path):
    rgb = np.full((12, 12, 3), (10, 20, 30), dtype=np.uint8)
    rgb[6:] = (200, 100, 0)
    path = save(Image.fromarray(rgb), tmp_path / "trns.png", transparency=(10, 20, 30))

    decoded = decode_image(path)

    np.testing.assert_array_equal(decoded[0, 0], (BACKGROUND_GRAY,) * 3)
    np.testing.assert_array_equal(decoded[11, 0], (200, 100, 0))


def test_sixteen_bit_png_scaled(tmp_path):
    values = np.array([0, 257, 257 * 100, 1000, 65535, 65535 - 128], dtype=np.uint16)
    gray = np.tile(values, (12, 2))
    path = save(Image.fromarray(gray), tmp_path / "deep.png")

    decoded = decode_image(path)

    # Scaling divides by 257 and rounds. Clipping would give 255 for all but 0.
    np.testing.assert_array_equal(decoded[0, :6, 0], [0, 1, 100, 4, 255, 255])
    np.testing.assert_array_equal(decoded[..., 0], decoded[..., 2])


def test_cmyk_jpeg_converted(tmp_path):
    image = Image.new("CMYK", (20, 20), (0, 255, 255, 0))
    image.paste((0, 0, 0, 0), (0, 10, 20, 20))
    path = save(image, tmp_path / "cmyk.jpg", quality=95)

    decoded = decode_image(path).astype(int)

    assert np.abs(decoded[3, 10] - (255, 0, 0)).max() <= 6
    assert np.abs(decoded[16, 10] - (255, 255, 255)).max() <= 6


@pytest.mark.parametrize("orientation, top_colour", [(1, None), (3, None), (6, "red"), (8, "blue")])
def test_exif_orientation_applied(tmp_path, orientation, top_colour):
    # Stored as 40 wide, 20 high: left half red, right half blue.
    stored = np.zeros((20, 40, 3), dtype=np.uint8)
    stored[:, :20] = (255, 0, 0)
    stored[:, 20:] = (0, 0, 255)
    image = Image.fromarray(stored)
    exif = image.getexif()
    exif[0x0112] = orientation
    path = save(image, tmp_path / "rotated.jpg", exif=exif.tobytes(), quality=95)

    decoded = decode_image(path).astype(int)

    red, blue = np.array((255, 0, 0)), np.array((0, 0, 255))
    if orientation == 1:
        assert decoded.shape == (20, 40, 3)
        assert np.abs(decoded[10, 5] - red).max() <= 6
    elif orientation == 3:
        # Rotated by 180 degrees: red ends up on the right.
        assert decoded.shape == (20, 40, 3)
        assert np.abs(decoded[10, 35] - red).max() <= 6
    else:
        # Orientation 6 is displayed rotated 90 degrees clockwise, which puts
        # the stored left side on top. Orientation 8 rotates the other way.
        assert decoded.shape == (40, 20, 3)
        expected = red if top_colour == "red" else blue
        assert np.abs(decoded[5, 10] - expected).max() <= 6


def test_animated_gif_first_frame(tmp_path):
    frames = [Image.new("RGB", (16, 16), colour) for colour in ((255, 0, 0), (0, 255, 0))]
    path = save(frames[0], tmp_path / "animated.gif", save_all=True, append_images=frames[1:])
    with Image.open(path) as stored:
        assert stored.n_frames == 2

    decoded = decode_image(path)

    np.testing.assert_array_equal(decoded[8, 8], (255, 0, 0))


@pytest.mark.parametrize(
    "image, expected",
    [
        (Image.fromarray(np.full((12, 12), 257 * 100, dtype=np.uint16)), 100),
        (Image.fromarray(np.full((12, 12), 65535, dtype=np.int32)), 255),
        (Image.fromarray(np.full((12, 12), 0.5, dtype=np.float32)), 128),
        (Image.new("1", (12, 12), 1), 255),
        (Image.new("RGBX", (12, 12), (7, 7, 7, 0)), 7),
        (Image.new("La", (12, 12), (0, 0)), BACKGROUND_GRAY),
    ],
    ids=["I;16", "I", "F", "1", "RGBX", "La"],
)
def test_pil_mode_converted(image, expected):
    decoded = decode_image(image)

    assert decoded.shape == (12, 12, 3)
    assert (decoded == expected).all()


@pytest.mark.parametrize(
    "image, message",
    [
        (Image.fromarray(np.full((12, 12), 70000, dtype=np.int32)), "outside 0..65535"),
        (Image.fromarray(np.full((12, 12), 200.0, dtype=np.float32)), r"\[0, 1\]"),
        (Image.new("LAB", (12, 12)), "unsupported image mode LAB"),
    ],
    ids=["I-out-of-range", "F-out-of-range", "LAB"],
)
def test_pil_mode_rejected(image, message):
    with pytest.raises(ImageError, match=message):
        decode_image(image)


def test_pil_image_not_modified():
    image = Image.new("RGBA", (12, 12), (10, 20, 30, 0))

    decode_image(image)

    assert image.mode == "RGBA"
    assert image.getpixel((0, 0)) == (10, 20, 30, 0)


# --- size limits ---------------------------------------------------------------


@pytest.mark.parametrize("size", [(MIN_SIDE - 1, 30), (30, MIN_SIDE - 1), (MAX_SIDE + 1, 12)])
def test_side_out_of_range_rejected(tmp_path, size):
    path = save(Image.new("RGB", size), tmp_path / "odd.png")

    with pytest.raises(ImageError, match=f"{size[0]}x{size[1]} pixels") as caught:
        decode_image(path)

    assert str(path) in str(caught.value)


def test_side_limits_inclusive(tmp_path):
    path = save(Image.new("RGB", (MIN_SIDE, MAX_SIDE), (1, 2, 3)), tmp_path / "edge.png")

    decoded = decode_image(path)

    assert decoded.shape == (MAX_SIDE, MIN_SIDE, 3)
    assert (decoded == (1, 2, 3)).all()


def test_large_crop_loads(tmp_path):
    # A 4000 x 4000 crop: the top-left quarter red, the rest a gradient.
    gradient = np.linspace(0, 255, 4000).astype(np.uint8)
    array = np.empty((4000, 4000, 3), dtype=np.uint8)
    array[...] = gradient[np.newaxis, :, np.newaxis]
    array[:2000, :2000] = (255, 0, 0)
    path = save(Image.fromarray(array), tmp_path / "large.png", compress_level=1)

    decoded = decode_image(path)

    assert decoded.shape == (4000, 4000, 3)
    np.testing.assert_array_equal(decoded[::97, ::89], array[::97, ::89])


def test_large_jpeg_batch_matches_full_decode(tmp_path):
    # prepare_batch decodes a large JPEG at a reduced scale, and the result
    # must stay close to resizing the fully decoded image.
    source = Image.open(GTSRB_PPM).resize((3000, 2800), Image.Resampling.BICUBIC)
    path = save(source, tmp_path / "large.jpg", quality=92)

    batch = prepare_batch([path], size=32)
    reference = resize_square(Image.fromarray(decode_image(path)), 32)

    difference = np.abs(batch[0].astype(int) - reference.astype(int))
    assert difference.mean() < 2.0
    assert difference.max() < 24


def test_decompression_bomb_warning_rejected(tmp_path, monkeypatch):
    path = save(Image.new("RGB", (40, 40)), tmp_path / "bomb.png")
    # Pillow warns above MAX_IMAGE_PIXELS and raises above twice that.
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)

    with pytest.raises(ImageError, match=r"too large \(40x40 pixels\)") as caught:
        decode_image(path)

    assert str(path) in str(caught.value)


def test_decompression_bomb_error_rejected(tmp_path, monkeypatch):
    path = save(Image.new("RGB", (40, 40)), tmp_path / "bomb.png")
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 500)

    with pytest.raises(ImageError, match=r"too large.*1600 pixels") as caught:
        decode_image(path)

    assert str(path) in str(caught.value)


# --- numpy arrays ----------------------------------------------------------------


RGB = pattern(16, 20)


@pytest.mark.parametrize(
    "array, expected",
    [
        (RGB, RGB),
        (RGB[:, :, 0], np.repeat(RGB[:, :, :1], 3, axis=2)),
        (RGB[:, :, :1], np.repeat(RGB[:, :, :1], 3, axis=2)),
        (RGB.astype(np.uint16) * 257, RGB),
        (RGB.astype(np.float32) / 255, RGB),
        (RGB.astype(np.float64) / 255, RGB),
        (np.dstack([RGB, np.full((16, 20), 255, np.uint8)]), RGB),
        (np.dstack([RGB, np.zeros((16, 20), np.uint8)]), np.full_like(RGB, BACKGROUND_GRAY)),
        ((np.dstack([RGB, np.full((16, 20), 255, np.uint8)]) / 255.0), RGB),
        (np.asfortranarray(RGB), RGB),
        (RGB[:, ::-1], RGB[:, ::-1]),
    ],
    ids=[
        "uint8-HxWx3",
        "uint8-HxW",
        "uint8-HxWx1",
        "uint16",
        "float32",
        "float64",
        "opaque-HxWx4",
        "transparent-HxWx4",
        "float-HxWx4",
        "fortran-order",
        "reversed-view",
    ],
)
def test_array_decoded(array, expected):
    decoded = decode_image(array)

    assert decoded.dtype == np.uint8
    assert decoded.flags.c_contiguous
    np.testing.assert_array_equal(decoded, expected)


def test_array_uint16_scaled_not_clipped():
    array = np.array([[0, 128, 257, 32768, 65535]] * 12, dtype=np.uint16).repeat(3, axis=1)

    decoded = decode_image(array)

    np.testing.assert_array_equal(decoded[0, ::3, 0], [0, 0, 1, 128, 255])


def test_array_float_rounded():
    array = np.full((12, 12), 0.5, dtype=np.float32)

    assert (decode_image(array) == 128).all()


@pytest.mark.parametrize(
    "array, message",
    [
        (np.full((12, 12, 3), 1.5, np.float32), r"\[0, 1\], got \[1.5, 1.5\]"),
        (np.full((12, 12, 3), -0.1, np.float32), r"\[0, 1\]"),
        (np.full((12, 12, 3), np.nan, np.float32), "NaN"),
        (np.zeros((12, 12, 3), np.int32), "unsupported pixel type int32"),
        (np.zeros((12, 12, 3), bool), "unsupported pixel type bool"),
        (np.zeros((12, 12, 2), np.uint8), r"shape \(12, 12, 2\)"),
        (np.zeros(144, np.uint8), r"shape \(144,\)"),
        (np.zeros((2, 12, 12, 3), np.uint8), r"shape \(2, 12, 12, 3\)"),
        (np.zeros((9, 12, 3), np.uint8), "12x9 pixels is too small"),
        (np.zeros((12, MAX_SIDE + 1), np.uint8), "too large"),
    ],
    ids=[
        "float-above-one",
        "float-negative",
        "nan",
        "int32",
        "bool",
        "two-channels",
        "flat",
        "batch",
        "too-small",
        "too-large",
    ],
)
def test_array_rejected(array, message):
    with pytest.raises(ImageError, match=message) as caught:
        decode_image(array)

    assert "<numpy array>" in str(caught.value)


# --- prepare_batch ---------------------------------------------------------------


def test_batch_shape_and_type(tmp_path):
    png = save(Image.fromarray(pattern(50, 40)), tmp_path / "a.png")
    sources = [png, GTSRB_PPM, pattern(12, 90), Image.new("L", (64, 64), 9)]

    batch = prepare_batch(sources, size=48)

    assert batch.shape == (4, 48, 48, 3)
    assert batch.dtype == np.uint8
    assert (batch[3] == 9).all()


def test_batch_empty():
    assert prepare_batch([]).shape == (0, 32, 32, 3)


def test_batch_same_as_alone(tmp_path):
    sources = [GTSRB_PPM, pattern(70, 50), save(Image.fromarray(pattern()), tmp_path / "b.png")]

    batch = prepare_batch(sources)

    for index, source in enumerate(sources):
        np.testing.assert_array_equal(batch[index], prepare_batch([source])[0])


def test_batch_uniform_colour_kept():
    batch = prepare_batch([np.full((300, 120, 3), (12, 200, 90), np.uint8)])

    assert (batch == (12, 200, 90)).all()


def test_batch_resize_fills_square():
    # A wide image is squashed into the square, not letterboxed: the left
    # third stays red across the whole height.
    wide = np.zeros((40, 120, 3), dtype=np.uint8)
    wide[:, :40] = (255, 0, 0)
    wide[:, 40:] = (0, 0, 255)

    resized = prepare_batch([wide], size=30)[0]

    assert (resized[:, :8] == (255, 0, 0)).all()
    assert (resized[:, 12:] == (0, 0, 255)).all()


def test_batch_antialiased():
    # A one-pixel checkerboard averages to mid-gray when downscaled with an
    # antialiasing filter. Sampling without one would keep black and white.
    checker = (np.indices((256, 256)).sum(axis=0) % 2 * 255).astype(np.uint8)

    resized = prepare_batch([checker], size=32)[0].astype(int)

    assert np.abs(resized - 128).max() <= 2


def test_batch_identity_at_input_size():
    array = pattern(32, 32)

    np.testing.assert_array_equal(prepare_batch([array])[0], array)


def test_batch_error_names_file(tmp_path):
    good = save(Image.fromarray(pattern()), tmp_path / "good.png")
    bad = tmp_path / "bad.png"
    bad.write_bytes(b"not a picture")

    with pytest.raises(ImageError, match="bad.png"):
        prepare_batch([good, bad])


def test_batch_invalid_size():
    with pytest.raises(ValueError, match="positive"):
        prepare_batch([pattern()], size=0)


def test_resize_square_box():
    image = Image.fromarray(pattern(40, 40))

    whole = resize_square(image, 20, box=(0, 0, 40, 40))
    quarter = resize_square(image, 20, box=(0, 0, 20, 20))

    np.testing.assert_array_equal(whole, resize_square(image, 20))
    np.testing.assert_array_equal(quarter, pattern(40, 40)[:20, :20])


def test_decode_pil_returns_rgb(tmp_path):
    path = save(Image.fromarray(pattern()[:, :, 0], "L"), tmp_path / "gray.png")

    image = decode_pil(path)

    assert image.mode == "RGB"
    assert image.size == (30, 24)


# --- speed -------------------------------------------------------------------------


def test_small_ppm_fast():
    # Decoding and resizing a 32x32 PPM takes about 0.06 ms on a 2-core
    # shared Linux VM; the bound leaves room for a busy machine.
    prepare_batch([GTSRB_PPM])
    timings = []
    for _ in range(200):
        start = time.perf_counter()
        prepare_batch([GTSRB_PPM])
        timings.append(time.perf_counter() - start)

    assert np.median(timings) < 1e-3
