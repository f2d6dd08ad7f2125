"""The glyph reader: legends cut from real speed-limit crops, drawn glyphs, the network and its file."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from PIL import Image

from signrules.attributes.errors import SchemaError, WeightsError
from signrules.attributes.glyphs import DEFAULT_GLYPH_WEIGHTS_PATH, GlyphReader, cut_glyphs, locate_legend
from signrules.attributes.glyphs.cutting import GLYPH_HEIGHT, GLYPH_WIDTH, read_template
from signrules.attributes.posteriors import SequencePosterior
from signrules.attributes.glyphs.network import GlyphNet, load_glyph_net, save_glyph_net
from signrules.attributes.glyphs.real import derive_missing, number_classes, open_upper_loop
from signrules.attributes.glyphs.synthetic import random_number, synthetic_glyphs
from signrules.attributes.decode import resize_square
from signrules.attributes.schema import default_schema

SPEED_60, SPEED_100, SPEED_80, SPEED_120 = 3, 7, 5, 8


def crop32(image: np.ndarray) -> np.ndarray:
    return np.asarray(Image.fromarray(image).resize((32, 32), Image.BICUBIC))


def ink_columns(patch: np.ndarray) -> np.ndarray:
    return np.flatnonzero(patch.max(axis=0) >= 0.5)


def test_read_template_stands_for_each_length():
    assert [read_template(n) for n in (1, 2, 3)] == ["0", "00", "100"]
    with pytest.raises(ValueError, match="1 to 3 digits"):
        read_template(4)


def test_number_classes_are_plates_without_strike():
    numbers = number_classes()

    assert numbers[SPEED_60] == "60"
    assert numbers[SPEED_100] == "100"
    # Class 6, end of speed limit 80, has bars across its digits.
    assert 6 not in numbers


def test_real_sixty_is_cut_into_two_inked_glyphs(crops):
    images = [crop32(image) for image in crops(SPEED_60, range(20, 600, 60))]
    cut = []
    for image in images:
        fit = locate_legend(image, 2)
        if fit is not None:
            cut.append(cut_glyphs(image, fit, 2))

    assert len(cut) >= 8
    for patches in cut:
        assert patches.shape == (2, GLYPH_HEIGHT, GLYPH_WIDTH)
        assert patches.dtype == np.float32
        assert patches.min() >= 0.0
        assert patches.max() <= 1.0
        # Each glyph fills the middle of its patch: ink in the central columns.
        for patch in patches:
            columns = ink_columns(patch)
            assert columns.size
            assert columns[0] < GLYPH_WIDTH // 2 < columns[-1]


def test_cut_from_larger_crop(crops):
    fits = [(image, locate_legend(crop32(image), 2)) for image in crops(SPEED_80, range(29, 900, 30))]
    image, fit = next((image, fit) for image, fit in fits if fit is not None)
    small = crop32(image)
    large = resize_square(Image.fromarray(image), 64)

    from_small = cut_glyphs(small, fit, 2)
    from_large = cut_glyphs(large, fit, 2, fit_size=32)

    # Same glyphs, cut from more pixels: close, not equal.
    assert np.abs(from_small - from_large).mean() < 0.15


def test_open_upper_loop_of_eight():
    # A block of ink on a grey plate, as a blurred photo's patch has.
    eight = np.full((GLYPH_HEIGHT, GLYPH_WIDTH), 0.2, np.float32)
    eight[3:29, 6:18] = 1.0
    six = open_upper_loop(eight)

    # Only the right side of the upper loop changes, its edges softened by a few pixels.
    rows, columns = np.nonzero(np.abs(eight - six) > 0.01)
    assert rows.min() >= 5
    assert rows.max() <= 18
    assert columns.min() >= 9
    # The opening is plate, not a slot darker than the plate.
    np.testing.assert_allclose(six[11:13, 15:20], 0.2, atol=0.03)
    assert six[:5].tolist() == eight[:5].tolist()


def test_derive_missing_digits():
    patches = np.random.default_rng(0).random((4, GLYPH_HEIGHT, GLYPH_WIDTH), dtype=np.float32)
    digits = np.array([8, 8, 0, 1])

    derived, labels = derive_missing(patches, digits, variants=1)
    assert sorted(set(labels.tolist())) == [6, 9]
    assert (labels == 6).sum() == 2
    assert (labels == 9).sum() == 2
    # A 9 is a derived 6 turned half a turn.
    np.testing.assert_array_equal(derived[labels == 9][0], derived[labels == 6][0][::-1, ::-1])

    # Further variants move the opening, so they differ from the first.
    varied, varied_labels = derive_missing(patches, digits, variants=3)
    assert (varied_labels == 6).sum() == 6
    np.testing.assert_array_equal(varied[:2], derived[:2])
    assert not np.array_equal(varied[2], varied[0])

    with pytest.raises(ValueError, match="variants must be at least 1, got 0"):
        derive_missing(patches, digits, variants=0)

    with_six = derive_missing(patches, np.array([8, 6, 0, 1]))[1]
    assert 6 not in with_six.tolist()
    assert 9 in with_six.tolist()


def test_random_numbers_have_no_leading_zero():
    rng = np.random.default_rng(1)
    numbers = [random_number(rng) for _ in range(500)]

    assert {len(n) for n in numbers} == {1, 2, 3}
    assert all(n == "0" or not n.startswith("0") for n in numbers)
    assert set("".join(numbers)) == set("0123456789")


def test_synthetic_glyphs_are_seeded_and_labelled():
    patches, digits = synthetic_glyphs(40, seed=3)
    again, again_digits = synthetic_glyphs(40, seed=3)
    other, _ = synthetic_glyphs(40, seed=4)

    assert patches.shape == (len(digits), GLYPH_HEIGHT, GLYPH_WIDTH)
    np.testing.assert_array_equal(patches, again)
    np.testing.assert_array_equal(digits, again_digits)
    assert not np.array_equal(patches[:10], other[:10])
    # Every patch shows ink around its middle.
    assert (patches[:, 8:24, 6:18].max(axis=(1, 2)) > 0.5).mean() > 0.95


def test_glyph_net_file_round_trip(tmp_path):
    torch.manual_seed(0)
    model = GlyphNet().eval()
    path = tmp_path / "glyphs.pt"
    save_glyph_net(path, model, {"temperature": 1.5, "seed": 0})

    loaded, metadata = load_glyph_net(path)
    patches = torch.rand(3, GLYPH_HEIGHT, GLYPH_WIDTH)
    # Stored as float16: equal to about three decimals.
    torch.testing.assert_close(loaded(patches), model(patches), atol=2e-2, rtol=1e-2)
    assert metadata["temperature"] == 1.5
    assert metadata["path"] == str(path)


@pytest.mark.parametrize("content", [b"", b"not a weights file", b"PK\x03\x04 truncated"])
def test_bad_glyph_weights_name_the_file(tmp_path, content):
    path = tmp_path / "broken.pt"
    path.write_bytes(content)

    with pytest.raises(WeightsError, match="broken.pt"):
        load_glyph_net(path)


def test_missing_glyph_weights_name_the_file(tmp_path):
    with pytest.raises(WeightsError, match="nowhere.pt"):
        load_glyph_net(tmp_path / "nowhere.pt")


def test_reader_rejects_another_alphabet():
    with pytest.raises(ValueError, match="digits"):
        GlyphReader(GlyphNet(), default_schema().strings["text"])


def test_reader_skips_crops_without_number(crops):
    reader = GlyphReader(GlyphNet().eval(), default_schema().strings["digits"])
    images = np.stack([crop32(image) for image in crops(SPEED_60, [100, 400])])

    reading = reader.read(images, [0, 4])

    assert not reading.found.any()
    assert (reading.probs[..., -1] == 1.0).all()
    assert reading.strings() == ["", ""]


@pytest.fixture(scope="module")
def validation_plates(gtsrb_training):
    """Validation-track crops (32 px) of the speed limits, with their numbers."""
    from signrules.attributes.gtsrb import load_gtsrb, split_by_track

    numbers = number_classes()
    data = load_gtsrb(gtsrb_training, classes=sorted(numbers))
    _, val_index = split_by_track(data)
    chosen = val_index[:: max(1, len(val_index) // 400)]
    return data.images[chosen], [numbers[int(c)] for c in data.class_ids[chosen]]


@pytest.fixture(scope="module")
def shipped_reader():
    return GlyphReader.load(DEFAULT_GLYPH_WEIGHTS_PATH, default_schema().strings["digits"])


def test_reader_precisions_agree(validation_plates):
    # bfloat16 keeps about three significant digits: the digits read stay
    # the same on nearly every plate, and no probability moves far.
    images, numbers = validation_plates
    readings = {precision: GlyphReader.load(DEFAULT_GLYPH_WEIGHTS_PATH, default_schema().strings["digits"],
                                            precision).read(images, [len(n) for n in numbers])
                for precision in ("float32", "bfloat16")}

    same = np.mean([a == b for a, b in zip(readings["float32"].strings(), readings["bfloat16"].strings())])
    assert same >= 0.99
    np.testing.assert_array_equal(readings["float32"].found, readings["bfloat16"].found)
    assert np.abs(readings["float32"].probs - readings["bfloat16"].probs).max() < 0.2


def test_shipped_reader_reads_validation_plates(validation_plates, shipped_reader):
    images, numbers = validation_plates

    reading = shipped_reader.read(images, [len(n) for n in numbers])
    read = reading.strings()
    found = reading.found

    assert found.mean() > 0.8
    exact = np.mean([r == n for r, n, f in zip(read, numbers, found) if f])
    assert exact > 0.9


def test_cutter_finds_more_legends_than_swap_fits(validation_plates):
    # The cutter counts dark red as rim and searches nearer the centre,
    # which finds legends on crops in shadow that the fit of digit swaps
    # misses, and places them nearer the crop's centre.
    from signrules.attributes.glyphs.cutting import read_template
    from signrules.attributes.synth.legend_fit import fit_legend

    images, numbers = validation_plates
    cutter = [locate_legend(image, len(number)) for image, number in zip(images, numbers)]
    swaps = [fit_legend(image, read_template(len(number)), refine=False) for image, number in zip(images, numbers)]

    assert sum(f is not None for f in cutter) > sum(f is not None for f in swaps)
    side = images.shape[1]
    offsets = [max(abs(f.centre_x - (side - 1) / 2), abs(f.centre_y - (side - 1) / 2)) for f in cutter if f]
    assert max(offsets) <= 0.08 * side + 0.5


def test_predictor_pools_found_legends_only(validation_plates, shipped_reader):
    from signrules.attributes.inference import AttributePredictor
    from signrules.attributes.weights import load_attribute_net

    images = validation_plates[0]
    model, _ = load_attribute_net()
    network = AttributePredictor(model).predict(images).strings["digits"]
    lengths = [len(number) for number in network.decode()]
    reading = shipped_reader.read(images, lengths)
    assert reading.found.any()
    assert not reading.found.all()

    mixed = AttributePredictor(model, glyph_reader=shipped_reader, glyph_weight=0.25).predict(images)
    probs = mixed.strings["digits"].probs
    found = reading.found

    pooled = reading.probs[found].clip(1e-6) ** 0.25 * network.probs[found].clip(1e-6) ** 0.75
    np.testing.assert_allclose(probs[found], pooled / pooled.sum(axis=2, keepdims=True), atol=1e-5)
    np.testing.assert_array_equal(probs[~found], network.probs[~found])
    # Alone or in a batch, the same posteriors.
    alone = AttributePredictor(model, glyph_reader=shipped_reader, glyph_weight=0.25).predict(images[5:6])
    np.testing.assert_allclose(alone.strings["digits"].probs[0], probs[5], atol=1e-5)


def test_pooling_never_invents_a_number(crops, shipped_reader):
    # Blurred frames of a 120: the network reads "120", the reader "200",
    # and position by position the two add up to "100", which neither read.
    from signrules.attributes.decode import prepare_batch
    from signrules.attributes.inference import AttributePredictor
    from signrules.attributes.weights import load_attribute_net

    images = prepare_batch(crops(SPEED_120, [61, 84, 86, 87, 88, 180, 200]), size=32)
    model, _ = load_attribute_net()
    network = AttributePredictor(model).predict(images).strings["digits"]
    reading = shipped_reader.read(images, [len(number) for number in network.decode()])
    pooled = reading.probs.clip(1e-6) ** 0.5 * network.probs.clip(1e-6) ** 0.5
    pooled_read = SequencePosterior(network.attribute, pooled / pooled.sum(axis=2, keepdims=True)).decode()
    invented = np.array([mixed not in (own, glyphs) for mixed, own, glyphs
                         in zip(pooled_read, network.decode(), reading.strings())]) & reading.found
    assert invented.any()

    mixed = AttributePredictor(model, glyph_reader=shipped_reader).predict(images).strings["digits"]

    np.testing.assert_array_equal(mixed.probs[invented], network.probs[invented])
    for own, glyphs, found, read in zip(network.decode(), reading.strings(), reading.found, mixed.decode()):
        assert read in ((own, glyphs) if found else (own,))


def test_predictor_keeps_what_each_reader_read(validation_plates, shipped_reader):
    from signrules.attributes.inference import AttributePredictor
    from signrules.attributes.posteriors import Posteriors
    from signrules.attributes.weights import load_attribute_net

    images = validation_plates[0][:48]
    model, _ = load_attribute_net()
    network = AttributePredictor(model).predict(images)
    lengths = [len(number) for number in network.strings["digits"].decode()]
    reading = shipped_reader.read(images, lengths)

    mixed = AttributePredictor(model, glyph_reader=shipped_reader, glyph_weight=0.7).predict(images)
    readers = mixed.readers["digits"]

    assert sorted(readers) == ["glyphs", "network"]
    assert readers["glyphs"].weight == 0.7
    assert readers["network"].weight == pytest.approx(0.3)
    np.testing.assert_allclose(readers["network"].sequence.probs, network.strings["digits"].probs, atol=1e-5)
    assert readers["network"].read.all()
    np.testing.assert_array_equal(readers["glyphs"].read, reading.found)
    np.testing.assert_allclose(readers["glyphs"].sequence.probs, reading.probs, atol=1e-5)
    assert not network.readers

    # Selecting and joining batches keeps each image's readings.
    halves = Posteriors.concatenate([mixed.select(slice(0, 20)), mixed.select(slice(20, None))])
    np.testing.assert_array_equal(halves.readers["digits"]["glyphs"].read, reading.found)
    np.testing.assert_array_equal(halves.readers["digits"]["glyphs"].sequence.probs, readers["glyphs"].sequence.probs)
    assert halves.readers["digits"]["glyphs"].weight == 0.7

    # Batches pooled with other weights do not join.
    other = AttributePredictor(model, glyph_reader=shipped_reader, glyph_weight=0.5).predict(images[:4])
    with pytest.raises(SchemaError, match="other weights"):
        Posteriors.concatenate([mixed, other])


def test_predictor_rejects_a_weight_outside_zero_to_one(shipped_reader):
    from signrules.attributes.inference import AttributePredictor
    from signrules.attributes.weights import load_attribute_net

    with pytest.raises(ValueError, match="glyph_weight"):
        AttributePredictor(load_attribute_net()[0], glyph_reader=shipped_reader, glyph_weight=1.5)


def test_text_file_as_glyph_weights_gives_safe_message(tmp_path):
    path = tmp_path / "notes.pt"
    path.write_text("not weights\n" * 20)

    with pytest.raises(WeightsError) as raised:
        load_glyph_net(path)

    assert "notes.pt" in str(raised.value)
    # torch's own message advises loading with weights_only=False, which
    # would run code from an unknown file.
    assert "weights_only" not in str(raised.value)
