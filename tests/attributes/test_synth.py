"""Synthetic signs: specs, rendering, pictogram classes, sampling and datasets."""

from __future__ import annotations

import json
import logging
import tomllib
from collections import Counter
from dataclasses import replace
from importlib import resources
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont
from signrules.attributes.errors import SchemaError
from signrules.attributes.labels import SYNTHETIC_PICTOGRAM_BASE, encode_labels
from signrules.attributes.schema import default_schema
from signrules.attributes.synth import (
    BLANK_PICTOGRAM,
    NUM_PICTOGRAMS,
    SignSpec,
    SignStyle,
    pictogram_ids,
    render_dataset,
    render_sign,
    sample_spec,
)
from signrules.attributes.synth.dataset import cache_dir
from signrules.attributes.synth.geometry import Box, Frame
from signrules.attributes.synth.lettering import FONTS, fit_lettering
from signrules.attributes.synth.masks import MaskSheet
from signrules.attributes.synth.pictograms import draw_pictogram, pictogram_class
from signrules.attributes.synth.sampling import STOP_WORDS, TEMPLATE_NAMES, sample_template

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = default_schema()


@pytest.fixture(autouse=True)
def cache_in_tmp(tmp_path, monkeypatch):
    # Tests never write into the user's real cache.
    monkeypatch.setenv("SIGNRULES_CACHE", str(tmp_path / "cache"))


def plain_spec(**changes) -> SignSpec:
    """Return a white disc with a red rim, with ``changes`` to any field."""
    values = {"shape": "circle", "fill": "white", "border": "red"}
    values.update(changes)
    if values["border"] == values["fill"]:
        # A rim in the fill colour is invalid: change whichever was not asked for.
        if "border" in changes:
            values["fill"] = "blue"
        else:
            values["border"] = "black" if values["fill"] != "black" else "white"
    return SignSpec(**values)


def render_pair(seed: int, first: SignSpec, second: SignSpec) -> np.ndarray:
    """Render two specs from generators in the same state; return |difference| per pixel."""
    image_a, _ = render_sign(np.random.default_rng(seed), first)
    image_b, _ = render_sign(np.random.default_rng(seed), second)
    return np.abs(image_a.astype(float) - image_b.astype(float)).sum(axis=2)


# --- specs and records -----------------------------------------------------

CATEGORICAL_VALUES = [
    (name, value) for name, attribute in SCHEMA.categorical.items() for value in attribute.values
]


@pytest.mark.parametrize(("attribute", "value"), CATEGORICAL_VALUES)
def test_every_schema_value_renders(attribute, value):
    spec = plain_spec(**{attribute: value})
    for seed in range(3):
        image, record = render_sign(np.random.default_rng(seed), spec)

        assert image.shape == (32, 32, 3)
        assert image.dtype == np.uint8
        assert record[attribute] == value
        assert image.std() > 1.0


@pytest.mark.parametrize("shape", SCHEMA.categorical["shape"].values)
@pytest.mark.parametrize(
    "legend",
    [
        {"digits": "60"},
        {"digits": "100"},
        {"text": "STOP"},
        {"text": "DETOUR"},
        {"pictogram": SYNTHETIC_PICTOGRAM_BASE + 10},
        {"digits": "75", "pictogram": SYNTHETIC_PICTOGRAM_BASE + 200},
        {"text": "ZONE", "digits": "30"},
    ],
)
def test_every_shape_draws_each_legend(shape, legend):
    # The legend must show: the same photograph without it differs, and
    # the difference lies on the plate, not at the image corners.
    spec = plain_spec(shape=shape, **legend)
    blank = plain_spec(shape=shape)
    for seed in range(3):
        difference = render_pair(seed, spec, blank)
        rows, columns = np.indices(difference.shape)

        assert difference.max() > 100
        centre_y = (difference * rows).sum() / difference.sum()
        centre_x = (difference * columns).sum() / difference.sum()
        assert abs(centre_x - 15.5) < 6
        # Triangles carry their legend off centre, where they are widest.
        assert abs(centre_y - 15.5) < 8
        for corner in (
            difference[:3, :3],
            difference[:3, -3:],
            difference[-3:, :3],
            difference[-3:, -3:],
        ):
            assert corner.max() < 20


@pytest.mark.parametrize("font", sorted(FONTS))
@pytest.mark.parametrize("seed", range(6))
def test_digits_drawn_as_labelled(seed, font):
    # Different digit strings give different pixels, in the same places.
    style = SignStyle(font=font)
    difference = render_pair(
        seed, plain_spec(digits="18", style=style), plain_spec(digits="81", style=style)
    )
    inner = difference[8:24, 6:26]

    assert inner.max() > 60
    assert inner.sum() > 0.8 * difference.sum()


@pytest.mark.parametrize("style", ["band", "bar"])
@pytest.mark.parametrize("seed", range(4))
def test_strike_drawn_when_labelled(style, seed):
    # A strike at 45 degrees runs from lower left to upper right, so the
    # change lies in those quadrants, not in the other two.
    struck = plain_spec(
        border="black",
        strike="diagonal",
        style=SignStyle(strike_style=style, strike_colour="black"),
    )
    plain = replace(struck, strike="none")
    difference = render_pair(seed, struck, plain)
    upper_right = difference[4:14, 18:28].sum() + difference[18:28, 4:14].sum()
    upper_left = difference[4:14, 4:14].sum() + difference[18:28, 18:28].sum()

    assert difference.max() > 40
    assert upper_right > 2 * upper_left


def test_record_labels_digits_text_and_pictogram():
    pictogram = SYNTHETIC_PICTOGRAM_BASE + 5

    assert plain_spec(digits="60").record()["pictogram"] is None
    assert plain_spec(text="STOP").record()["pictogram"] is None
    assert plain_spec().record()["pictogram"] == BLANK_PICTOGRAM
    both = plain_spec(digits="35", pictogram=pictogram).record()
    assert both["digits"] == "35"
    assert both["pictogram"] == pictogram
    assert plain_spec(text="STOP").record()["digits"] == ""


@pytest.mark.parametrize(
    ("changes", "error", "message"),
    [
        ({"shape": "hexagon"}, SchemaError, "hexagon"),
        ({"fill": "purple"}, SchemaError, "purple"),
        ({"digits": "1234"}, SchemaError, "too long"),
        ({"digits": "6O"}, SchemaError, "alphabet"),
        ({"text": "stop"}, SchemaError, "alphabet"),
        ({"pictogram": 5}, ValueError, "got 5"),
        ({"legend_colour": "pink"}, ValueError, "pink"),
    ],
)
def test_invalid_spec_raises(changes, error, message):
    with pytest.raises(error, match=message):
        plain_spec(**changes)


def test_rim_in_fill_colour_raises():
    with pytest.raises(SchemaError, match="invisible"):
        SignSpec("circle", "red", "red")


def test_edge_without_rim_raises():
    with pytest.raises(SchemaError, match="thin rim"):
        SignSpec("circle", "blue", "none", style=SignStyle(edge_colour="white"))


def test_sampling_no_edge_without_rim(sampled_specs):
    assert all(spec.style.edge_colour is None for spec in sampled_specs if spec.border == "none")


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("border_width", 0.9),
        ("aspect", 5.0),
        ("strike_style", "dots"),
        ("font", "comic"),
        ("font_weight", 2),
        ("edge_colour", "pink"),
    ],
)
def test_invalid_style_raises(field, value):
    with pytest.raises(ValueError, match="got"):
        SignStyle(**{field: value})


def test_render_sign_rejects_tiny_size():
    with pytest.raises(ValueError, match="got 4"):
        render_sign(np.random.default_rng(0), plain_spec(), size=4)


@pytest.mark.parametrize("size", [16, 48, 128])
def test_render_sign_other_sizes(size):
    image, _ = render_sign(np.random.default_rng(0), plain_spec(digits="50"), size=size)

    assert image.shape == (size, size, 3)


@pytest.mark.parametrize("font", sorted(FONTS))
def test_lettering_fits_and_condenses(font):
    wide = fit_lettering("60", 200.0, 40.0, font=font, stretch=1.0)
    narrow = fit_lettering("DETOUR", 60.0, 40.0, font=font, stretch=1.0)

    assert wide.cap_height == 40.0
    assert wide.height >= wide.cap_height
    assert narrow.width <= 60.0
    assert narrow.cap_height <= 40.0


# --- pictograms ------------------------------------------------------------


def rasterise(pictogram_id: int, seed: int = 0) -> np.ndarray:
    sheet = MaskSheet(64, 2)
    frame = Frame(np.eye(2) * 30.0, np.array([32.0, 32.0]))
    draw_pictogram(np.random.default_rng(seed), pictogram_id, Box(0.0, 0.0, 1.0, 1.0), frame, sheet)
    coverage = sheet.coverage()
    return np.maximum(coverage["legend"], coverage["accent"])[..., 0] > 0.5


def test_pictogram_table_is_large():
    assert NUM_PICTOGRAMS >= 500
    assert len(pictogram_ids()) == NUM_PICTOGRAMS - 1
    assert min(pictogram_ids()) == SYNTHETIC_PICTOGRAM_BASE + 1


def near(first: np.ndarray, second: np.ndarray) -> float:
    """Return the share of ink in either mask that lies within one pixel of ink in the other."""

    def grown(mask):
        padded = np.pad(mask, 1)
        return np.max(
            [padded[1 + dy : 33 + dy, 1 + dx : 33 + dx] for dy in (-1, 0, 1) for dx in (-1, 0, 1)],
            axis=0,
        )

    matched = (first & grown(second)).sum() + (second & grown(first)).sum()
    return matched / max(first.sum() + second.sum(), 1)


def test_pictogram_same_id_same_symbol():
    # Only the small jitter separates two drawings of one class.
    for pictogram_id in pictogram_ids()[::25]:
        first, second = rasterise(pictogram_id, seed=1), rasterise(pictogram_id, seed=2)

        assert near(first, second) > 0.85, pictogram_id


def test_mirrored_pictograms_differ():
    # The twin of a chiral class is its mirror image and a different symbol.
    pairs = [
        (entry.id - 1, entry.id)
        for entry in map(pictogram_class, pictogram_ids())
        if entry.mirrored
    ]
    assert len(pairs) > 200
    for original, twin in pairs[::7]:
        first, second = rasterise(original), rasterise(twin)
        overlap = (first & second).sum() / max((first | second).sum(), 1)

        assert overlap < 0.9, (original, twin)
        assert near(first[:, ::-1], second) > 0.85, (original, twin)


def test_pictogram_classes_mostly_distinct():
    # Sampled classes should not be copies of each other.
    ids = pictogram_ids()[::9]
    masks = np.stack([rasterise(pictogram_id).ravel() for pictogram_id in ids]).astype(float)
    intersection = masks @ masks.T
    union = masks.sum(1)[:, None] + masks.sum(1)[None, :] - intersection
    overlap = intersection / np.maximum(union, 1)
    np.fill_diagonal(overlap, 0.0)

    assert (overlap > 0.9).sum() / 2 <= 2


# --- sampling --------------------------------------------------------------


@pytest.fixture(scope="module")
def sampled_specs() -> list[SignSpec]:
    return [sample_spec(np.random.default_rng([5, i]), SCHEMA) for i in range(4000)]


def test_sampling_covers_every_value(sampled_specs):
    for name, attribute in SCHEMA.categorical.items():
        seen = Counter(getattr(spec, name) for spec in sampled_specs)

        assert set(seen) == set(attribute.values), name


def test_sampling_digits_in_every_position(sampled_specs):
    digit_strings = [spec.digits for spec in sampled_specs if spec.digits]
    lengths = Counter(len(digits) for digits in digit_strings)

    assert set(lengths) == {1, 2, 3}
    for position in range(3):
        seen = {digits[position] for digits in digit_strings if len(digits) > position}
        assert seen == set("0123456789"), position


def test_sampling_text_words_and_stop(sampled_specs):
    words = [spec.text for spec in sampled_specs if spec.text]

    assert {len(word) for word in words} == {2, 3, 4, 5, 6}
    assert "STOP" in words
    assert (
        sum(spec.template == "stop" and spec.text in STOP_WORDS[1:] for spec in sampled_specs) > 20
    )


def test_sampling_template_share(sampled_specs):
    share = sum(spec.template != "random" for spec in sampled_specs) / len(sampled_specs)

    assert 0.55 < share < 0.65


def test_sampling_never_hides_the_rim(sampled_specs):
    assert all(spec.border != spec.fill for spec in sampled_specs)


def test_free_combinations_decouple_attributes(sampled_specs):
    # In free combinations every shape comes with every fill.
    free = [spec for spec in sampled_specs if spec.template == "random"]
    pairs = {(spec.shape, spec.fill) for spec in free}

    assert len(pairs) == len(SCHEMA.categorical["shape"].values) * len(
        SCHEMA.categorical["fill"].values
    )


@pytest.mark.parametrize("name", TEMPLATE_NAMES)
def test_every_template_renders(name):
    for index in range(5):
        rng = np.random.default_rng([9, index])
        spec = sample_template(rng, name)
        image, record = render_sign(rng, spec)

        assert image.shape == (32, 32, 3)
        assert record == spec.record()


def test_unknown_template_raises():
    with pytest.raises(ValueError, match="'octagonal'"):
        sample_template(np.random.default_rng(0), "octagonal")


# --- datasets --------------------------------------------------------------


def test_labels_round_trip():
    data = render_dataset(48, seed=5, cache=False)

    assert data.images.shape == (48, 32, 32, 3)
    assert len(data) == 48
    expected = encode_labels(data.records, SCHEMA)
    for name, labels in data.labels.items():
        np.testing.assert_array_equal(labels, expected[name])
    for row, record in enumerate(data.records):
        for name, attribute in SCHEMA.categorical.items():
            assert attribute.values[data.labels[name][row]] == record[name]
        digits = SCHEMA.strings["digits"]
        decoded = "".join(
            digits.alphabet[i] for i in data.labels["digits"][row] if i < digits.end_index
        )
        assert decoded == record["digits"]


def test_same_images_with_one_and_two_workers():
    one_worker = render_dataset(40, seed=3, workers=1, cache=False)
    two_workers = render_dataset(40, seed=3, workers=2, cache=False)

    np.testing.assert_array_equal(one_worker.images, two_workers.images)
    assert one_worker.records == two_workers.records


def test_images_differ_across_seeds():
    first = render_dataset(8, seed=1, cache=False)
    second = render_dataset(8, seed=2, cache=False)

    assert not np.array_equal(first.images, second.images)
    assert first.records != second.records


def test_dataset_prefix_is_stable():
    # Image i depends on (seed, i) only, so a longer dataset starts alike.
    short = render_dataset(5, seed=4, cache=False)
    long = render_dataset(9, seed=4, cache=False)

    np.testing.assert_array_equal(short.images, long.images[:5])


def test_cache_written_and_reused(tmp_path):
    first = render_dataset(12, seed=6)
    files = list(cache_dir().glob("*.npz"))

    assert cache_dir().is_relative_to(tmp_path)
    assert len(files) == 1
    second = render_dataset(12, seed=6)
    np.testing.assert_array_equal(first.images, second.images)
    assert first.records == second.records


def test_cache_hit_skips_rendering(monkeypatch):
    render_dataset(6, seed=8)

    def fail(*args, **kwargs):
        raise AssertionError("rendered although the cache had the dataset")

    monkeypatch.setattr("signrules.attributes.synth.dataset._render", fail)
    assert len(render_dataset(6, seed=8)) == 6


def test_corrupt_cache_rendered_again(caplog):
    render_dataset(6, seed=9)
    path = next(cache_dir().glob("*.npz"))
    path.write_bytes(b"not a zip file")

    with caplog.at_level(logging.WARNING):
        data = render_dataset(6, seed=9)

    assert len(data) == 6
    assert "unreadable synthetic cache" in caplog.text


def test_cache_of_other_shape_rendered_again(caplog):
    # A file under the right name but with other contents is not trusted.
    render_dataset(6, seed=10)
    path = next(cache_dir().glob("*.npz"))
    other = render_dataset(4, seed=10, cache=False)
    records = np.frombuffer(json.dumps(other.records).encode(), dtype=np.uint8)
    np.savez(path, images=other.images, records=records)

    with caplog.at_level(logging.WARNING):
        data = render_dataset(6, seed=10)

    assert len(data) == 6
    assert "expected 6 images" in caplog.text


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"count": -1}, "count"),
        ({"seed": -2}, "seed"),
        ({"size": 4}, "size"),
        ({"workers": 0}, "workers"),
    ],
)
def test_render_dataset_rejects_bad_arguments(arguments, message):
    values = {"count": 4, "seed": 0} | arguments
    count = values.pop("count")
    with pytest.raises(ValueError, match=message):
        render_dataset(count, cache=False, **values)


# --- packaging -------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    ["OSP-DIN.ttf", "OFL-1.1.txt", "FONTLOG", "DejaVuSansCondensed-Bold.ttf", "DejaVu-LICENSE.txt"],
)
def test_font_files_packaged(name):
    fonts = resources.files("signrules.attributes").joinpath("fonts")

    assert fonts.joinpath(name).is_file()


@pytest.mark.parametrize(
    ("name", "licence"),
    [
        ("OFL-1.1.txt", "SIL OPEN FONT LICENSE Version 1.1"),
        ("DejaVu-LICENSE.txt", "Bitstream Vera"),
    ],
)
def test_font_licence_text(name, licence):
    text = (
        resources.files("signrules.attributes").joinpath("fonts", name).read_text(encoding="utf-8")
    )

    assert licence in text


@pytest.mark.parametrize("font", sorted(FONTS))
def test_font_has_every_glyph(font):
    path = resources.files("signrules.attributes").joinpath("fonts", FONTS[font])
    font = ImageFont.truetype(str(path), 40)
    for character in "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ":
        mask = Image.new("L", (60, 60))
        ImageDraw.Draw(mask).text((5, 5), character, font=font, fill=255)

        assert np.asarray(mask).max() == 255, character


def test_pyproject_ships_fonts_and_synth():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())

    assert "signrules.attributes.synth" in config["tool"]["setuptools"]["packages"]
    assert "fonts/*" in config["tool"]["setuptools"]["package-data"]["signrules.attributes"]
