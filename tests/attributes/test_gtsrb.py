"""GTSRB loading, the committed train/validation split and the class table."""

from __future__ import annotations

import csv
import logging
import os
import shutil
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np
import pytest
import yaml
from PIL import Image
from signrules.attributes.errors import DatasetError, SchemaError
from signrules.attributes.gtsrb import (
    CLASS_TABLE_PATH,
    TRACK_ID_FACTOR,
    attribute_records,
    class_attributes,
    load_gtsrb,
    read_annotations,
    split_by_track,
    track_id,
    validation_tracks,
)
from signrules.attributes.labels import IGNORE, encode_labels
from signrules.attributes.schema import default_schema
from signrules.attributes.splits import (
    GTSRB_VAL_TRACKS_PATH,
    choose_validation_tracks,
    read_track_list,
    write_track_list,
)

from tests.conftest import GTSRB_TRAINING as TRAINING

HEADER = "Filename;Width;Height;Roi.X1;Roi.Y1;Roi.X2;Roi.Y2;ClassId"
STOP, TURN_RIGHT = 14, 33


@pytest.fixture(autouse=True)
def cache_in_tmp(tmp_path, monkeypatch):
    # Tests never write into the user's real cache.
    monkeypatch.setenv("SIGNRULES_CACHE", str(tmp_path / "cache"))


@pytest.fixture(scope="module")
def stop_and_turn():
    return load_gtsrb(TRAINING, classes=[STOP, TURN_RIGHT], cache=False)


def csv_rows(class_id: int) -> list[list[str]]:
    folder = TRAINING / "Images" / f"{class_id:05d}"
    with open(folder / f"GT-{class_id:05d}.csv", newline="") as file:
        return list(csv.reader(file, delimiter=";"))[1:]


def write_csv(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join([HEADER, *lines]) + "\n")
    return path


def make_training_folder(
    root: Path, class_id: int, rows: list[tuple[str, Image.Image, str]]
) -> Path:
    """Write a one-class training layout; each row is (file name, image, CSV fields)."""
    folder = root / "Images" / f"{class_id:05d}"
    folder.mkdir(parents=True)
    for name, image, _ in rows:
        image.save(folder / name)
    write_csv(folder / f"GT-{class_id:05d}.csv", [f"{name};{fields}" for name, _, fields in rows])
    return root


def make_test_folder(folder: Path, count_per_class: int = 3) -> list[list[str]]:
    """Copy real PPMs of two classes into a flat test layout; return its CSV rows."""
    folder.mkdir(parents=True, exist_ok=True)
    rows = []
    for class_id in (STOP, TURN_RIGHT):
        for row in csv_rows(class_id)[::200][:count_per_class]:
            name = f"{len(rows):05d}.ppm"
            shutil.copy(TRAINING / "Images" / f"{class_id:05d}" / row[0], folder / name)
            rows.append([name, *row[1:]])
    return rows


# --- training layout, real images ------------------------------------------------


def test_counts_match_csv(stop_and_turn):
    expected = {STOP: len(csv_rows(STOP)), TURN_RIGHT: len(csv_rows(TURN_RIGHT))}

    counts = Counter(stop_and_turn.class_ids.tolist())

    assert counts == expected
    assert len(stop_and_turn) == sum(expected.values())
    assert stop_and_turn.images.shape == (len(stop_and_turn), 32, 32, 3)
    assert stop_and_turn.images.dtype == np.uint8
    assert stop_and_turn.class_ids.dtype == np.int64
    assert len(stop_and_turn.paths) == len(stop_and_turn)
    assert stop_and_turn.rois.shape == (len(stop_and_turn), 4)


def test_track_ids_from_file_names(stop_and_turn):
    for index in (0, 100, len(stop_and_turn) - 1):
        path = Path(stop_and_turn.paths[index])
        class_id = int(path.parent.name)
        track = int(path.name[:5])

        assert stop_and_turn.class_ids[index] == class_id
        assert stop_and_turn.track_ids[index] == class_id * TRACK_ID_FACTOR + track


def test_track_ids_unique_across_classes(stop_and_turn):
    stop_tracks = set(stop_and_turn.track_ids[stop_and_turn.class_ids == STOP].tolist())
    turn_tracks = set(stop_and_turn.track_ids[stop_and_turn.class_ids == TURN_RIGHT].tolist())

    assert stop_tracks.isdisjoint(turn_tracks)
    assert len(stop_tracks) == len({row[0][:5] for row in csv_rows(STOP)})
    assert track_id(STOP, 3) == 1_400_003


def test_roi_in_output_coordinates(stop_and_turn):
    # With margin 0.1 an unclamped ROI spans 1/1.2 of the output, centred.
    widths = stop_and_turn.rois[:, 2] - stop_and_turn.rois[:, 0]
    heights = stop_and_turn.rois[:, 3] - stop_and_turn.rois[:, 1]

    assert np.median(widths) == pytest.approx(32 / 1.2, abs=0.01)
    assert np.median(heights) == pytest.approx(32 / 1.2, abs=0.01)
    assert (stop_and_turn.rois >= 0).all()
    assert (stop_and_turn.rois <= 32).all()


def test_roi_crop_centres_sign(stop_and_turn):
    # Stop signs are red inside the ROI, and the background in the corners is
    # not. Redness is R minus the mean of G and B.
    stops = stop_and_turn.images[stop_and_turn.class_ids == STOP].astype(float)
    redness = stops[..., 0] - (stops[..., 1] + stops[..., 2]) / 2
    # Red plate between the rim and the letters.
    plate = redness[:, 8:10, 8:24].mean(axis=(1, 2))
    corners = np.concatenate(
        [redness[:, :2, :2], redness[:, :2, -2:], redness[:, -2:, :2], redness[:, -2:, -2:]],
        axis=1,
    ).mean(axis=(1, 2))

    assert (plate > corners).mean() > 0.95
    assert plate.mean() > corners.mean() + 30


def test_load_from_images_folder():
    data = load_gtsrb(TRAINING / "Images", classes=[TURN_RIGHT], cache=False)

    assert len(data) == len(csv_rows(TURN_RIGHT))


def test_size_and_margin_parameters():
    data = load_gtsrb(TRAINING, classes=[TURN_RIGHT], size=48, margin=0.0, cache=False)

    assert data.images.shape[1:] == (48, 48, 3)
    # Without margin the ROI fills the output, except where Pillow's box
    # rounding differs in the last float digits.
    np.testing.assert_allclose(data.rois[0], (0, 0, 48, 48), atol=1e-3)


def test_unknown_class_rejected():
    with pytest.raises(DatasetError, match=r"no class folder for class ids \[77\]"):
        load_gtsrb(TRAINING, classes=[77], cache=False)


# --- ROI cropping on synthetic images ------------------------------------------------


def square_image() -> Image.Image:
    """A 40x40 gray image with a red square at x, y = 10..29."""
    array = np.full((40, 40, 3), 100, dtype=np.uint8)
    array[10:30, 10:30] = (255, 0, 0)
    return Image.fromarray(array)


def test_roi_scaled_to_file_size(tmp_path):
    # The CSV describes an 80x80 original whose ROI 20..59 is the red square
    # after the file was halved to 40x40.
    root = make_training_folder(
        tmp_path, 5, [("00000_00000.ppm", square_image(), "80;80;20;20;59;59;5")]
    )

    tight = load_gtsrb(root, margin=0.0, size=20, cache=False)
    framed = load_gtsrb(root, margin=0.25, size=30, cache=False)

    # The inclusive ROI 20..59 halves to the box 10..30, exactly the square,
    # and a 20-pixel box resized to 20 pixels copies it unchanged.
    assert (tight.images[0] == (255, 0, 0)).all()
    np.testing.assert_allclose(tight.rois[0], (0, 0, 20, 20), atol=1e-4)
    # margin 0.25 adds 5 pixels on each side: the box is 5..35, 30 wide.
    assert (framed.images[0, 0, 0] == (100, 100, 100)).all()
    assert (framed.images[0, 15, 15] == (255, 0, 0)).all()
    np.testing.assert_allclose(framed.rois[0], (5, 5, 25, 25), atol=1e-4)
    # The sign was photographed 40 pixels wide, whatever the file's and the output's size.
    assert tight.sign_sizes.tolist() == framed.sign_sizes.tolist() == [40.0]


def test_roi_margin_clamped_to_image(tmp_path):
    array = np.full((40, 40, 3), 100, dtype=np.uint8)
    array[0:20, 0:20] = (0, 0, 255)
    rows = [("00000_00000.ppm", Image.fromarray(array), "40;40;0;0;19;19;5")]
    root = make_training_folder(tmp_path, 5, rows)

    data = load_gtsrb(root, margin=0.5, size=30, cache=False)

    # The box is clamped to 0..30 in x and y, so the ROI starts at the edge.
    np.testing.assert_allclose(data.rois[0], (0, 0, 20, 20), atol=1e-4)
    assert (data.images[0, 2, 2] == (0, 0, 255)).all()
    assert (data.images[0, 28, 28] == (100, 100, 100)).all()


# --- test layout -------------------------------------------------------------------


def test_flat_test_layout(tmp_path):
    rows = make_test_folder(tmp_path / "Final_Test")
    write_csv(tmp_path / "Final_Test" / "GT-final_test.csv", [";".join(row) for row in rows])

    data = load_gtsrb(tmp_path / "Final_Test", cache=False)

    assert len(data) == len(rows)
    assert data.class_ids.tolist() == [int(row[-1]) for row in rows]
    assert (data.track_ids == -1).all()
    assert Path(data.paths[0]).name == "00000.ppm"


@pytest.mark.parametrize("csv_place", ["beside-images-folder", "inside-images-folder"])
def test_test_layout_with_images_folder(tmp_path, csv_place):
    rows = make_test_folder(tmp_path / "Final_Test" / "Images")
    folder = (
        tmp_path / "Final_Test"
        if csv_place == "beside-images-folder"
        else tmp_path / "Final_Test" / "Images"
    )
    write_csv(folder / "GT-final_test.csv", [";".join(row) for row in rows])

    data = load_gtsrb(tmp_path / "Final_Test", cache=False)

    assert len(data) == len(rows)


def test_test_layout_class_filter(tmp_path):
    rows = make_test_folder(tmp_path)
    write_csv(tmp_path / "GT-final_test.csv", [";".join(row) for row in rows])

    data = load_gtsrb(tmp_path, classes=[TURN_RIGHT], cache=False)

    assert set(data.class_ids.tolist()) == {TURN_RIGHT}
    assert len(data) == 3


def test_test_layout_cannot_split(tmp_path):
    rows = make_test_folder(tmp_path)
    write_csv(tmp_path / "GT-final_test.csv", [";".join(row) for row in rows])
    data = load_gtsrb(tmp_path, cache=False)

    with pytest.raises(DatasetError, match="no track ids"):
        split_by_track(data)


def test_unknown_layout_rejected(tmp_path):
    (tmp_path / "photos").mkdir()

    with pytest.raises(DatasetError, match="not a GTSRB folder") as caught:
        load_gtsrb(tmp_path, cache=False)

    assert str(tmp_path) in str(caught.value)
    assert "GT-000CC.csv" in str(caught.value)
    assert "GT-final_test.csv" in str(caught.value)


def test_test_csv_without_class_ids_explained(tmp_path):
    (tmp_path / "Images").mkdir()
    (tmp_path / "Images" / "GT-final_test.test.csv").write_text("Filename;Width\n")

    with pytest.raises(DatasetError, match="has no ClassId column"):
        load_gtsrb(tmp_path, cache=False)


def test_missing_root_rejected(tmp_path):
    with pytest.raises(DatasetError, match="GTSRB folder not found"):
        load_gtsrb(tmp_path / "absent", cache=False)


# --- malformed annotations -----------------------------------------------------------


GOOD_ROW = "00000_00000.ppm;40;40;5;5;34;34;7"


@pytest.mark.parametrize(
    "lines, line_number, message",
    [
        ([GOOD_ROW, "00000_00001.ppm;40;40;5;5;34"], 3, "expected 8 ';'-separated fields, got 6"),
        (["00000_00000.ppm;40;forty;5;5;34;34;7"], 2, 'invalid Height "forty": expected an integer'),
        (["00000_00000.ppm;40;40;5;5;44;34;7"], 2, r"ROI \(5, 5, 44, 34\) does not lie inside"),
        (["00000_00000.ppm;40;40;30;5;20;34;7"], 2, "X1 < X2"),
        (["00000_00000.ppm;0;40;5;5;34;34;7"], 2, "invalid image size 0x40"),
        (["00000_00000.ppm;40;40;5;5;34;34;8"], 2, "ClassId 8 differs from the class folder's 7"),
        (["00000_00000.ppm;40;40;5;5;34;34;-1"], 2, "invalid ClassId -1: expected a class id of 0 or more"),
        (["frame.ppm;40;40;5;5;34;34;7"], 2, "does not match TTTTT_FFFFF.ppm"),
        (["../00000_00000.ppm;40;40;5;5;34;34;7"], 2, "without folders"),
        ([GOOD_ROW, "00000_00009.ppm;40;40;5;5;34;34;7"], 3, "file not found"),
    ],
    ids=[
        "short-row",
        "not-a-number",
        "roi-outside",
        "roi-reversed",
        "zero-width",
        "class-mismatch",
        "negative-class",
        "file-name",
        "path-in-name",
        "missing-image",
    ],
)
def test_malformed_csv_rejected(tmp_path, lines, line_number, message):
    folder = tmp_path / "Images" / "00007"
    folder.mkdir(parents=True)
    square_image().save(folder / "00000_00000.ppm")
    csv_path = write_csv(folder / "GT-00007.csv", lines)

    with pytest.raises(DatasetError, match=message) as caught:
        load_gtsrb(tmp_path, cache=False)

    assert f"{csv_path}:{line_number}:" in str(caught.value)


def test_missing_image_with_cache_rejected(tmp_path):
    # With the cache on, the file is first missed while computing the key.
    folder = tmp_path / "Images" / "00007"
    folder.mkdir(parents=True)
    csv_path = write_csv(folder / "GT-00007.csv", [GOOD_ROW])

    with pytest.raises(DatasetError, match="file not found") as caught:
        load_gtsrb(tmp_path)

    assert f"{csv_path}:2:" in str(caught.value)
    assert str(folder / "00000_00000.ppm") in str(caught.value)


def test_missing_header_column_rejected(tmp_path):
    folder = tmp_path / "Images" / "00007"
    folder.mkdir(parents=True)
    csv_path = folder / "GT-00007.csv"
    csv_path.write_text("Filename;Width;Height;ClassId\n00000_00000.ppm;40;40;7\n")

    with pytest.raises(DatasetError, match=r"lacks the columns Roi.X1, Roi.Y1, Roi.X2, Roi.Y2"):
        load_gtsrb(tmp_path, cache=False)


def test_missing_class_csv_rejected(tmp_path):
    (tmp_path / "Images" / "00007").mkdir(parents=True)

    with pytest.raises(DatasetError, match="GT-00007.csv: annotation file of class 7 not found"):
        load_gtsrb(tmp_path, cache=False)


def test_empty_csv_rejected(tmp_path):
    folder = tmp_path / "Images" / "00007"
    folder.mkdir(parents=True)
    write_csv(folder / "GT-00007.csv", [])

    with pytest.raises(DatasetError, match="has no rows"):
        load_gtsrb(tmp_path, cache=False)


def test_corrupt_image_names_csv_line_and_file(tmp_path):
    folder = tmp_path / "Images" / "00007"
    folder.mkdir(parents=True)
    square_image().save(folder / "00000_00000.ppm")
    (folder / "00000_00001.ppm").write_bytes(b"P6\n40 40\n255\n" + bytes(100))
    csv_path = write_csv(folder / "GT-00007.csv", [GOOD_ROW, "00000_00001.ppm;40;40;5;5;34;34;7"])

    with pytest.raises(DatasetError, match="truncated") as caught:
        load_gtsrb(tmp_path, cache=False)

    assert f"{csv_path}:3:" in str(caught.value)
    assert str(folder / "00000_00001.ppm") in str(caught.value)


# --- cache ----------------------------------------------------------------------------


def test_cache_written_and_read(tmp_path, caplog):
    rows = [("00000_00000.ppm", square_image(), "40;40;10;10;29;29;5")]
    root = make_training_folder(tmp_path / "data", 5, rows)
    caplog.set_level(logging.INFO, logger="signrules.attributes.gtsrb")

    first = load_gtsrb(root)
    second = load_gtsrb(root)

    assert list((tmp_path / "cache").glob("gtsrb-*.npz"))
    assert "read 1 GTSRB images from cache" in caplog.text
    np.testing.assert_array_equal(first.images, second.images)
    np.testing.assert_array_equal(first.rois, second.rois)
    np.testing.assert_array_equal(first.sign_sizes, second.sign_sizes)
    assert first.paths == second.paths
    assert second.track_ids.tolist() == [track_id(5, 0)]


def test_cache_invalidated_by_changed_file(tmp_path):
    rows = [("00000_00000.ppm", square_image(), "40;40;10;10;29;29;5")]
    root = make_training_folder(tmp_path / "data", 5, rows)
    image_path = root / "Images" / "00005" / "00000_00000.ppm"
    load_gtsrb(root)

    Image.new("RGB", (40, 40), (0, 255, 0)).save(image_path)
    stat = image_path.stat()
    os.utime(image_path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
    reloaded = load_gtsrb(root)

    assert (reloaded.images[0, 16, 16] == (0, 255, 0)).all()
    assert len(list((tmp_path / "cache").glob("gtsrb-*.npz"))) == 2


def test_cache_keyed_by_parameters(tmp_path):
    rows = [("00000_00000.ppm", square_image(), "40;40;10;10;29;29;5")]
    root = make_training_folder(tmp_path / "data", 5, rows)

    small = load_gtsrb(root, size=16)
    large = load_gtsrb(root, size=24)

    assert small.images.shape[1] == 16
    assert large.images.shape[1] == 24


def test_corrupt_cache_ignored(tmp_path):
    rows = [("00000_00000.ppm", square_image(), "40;40;10;10;29;29;5")]
    root = make_training_folder(tmp_path / "data", 5, rows)
    expected = load_gtsrb(root)
    for cached in (tmp_path / "cache").glob("gtsrb-*.npz"):
        cached.write_bytes(b"not a numpy file")

    reloaded = load_gtsrb(root)

    np.testing.assert_array_equal(reloaded.images, expected.images)


def test_progress_bar_runs(tmp_path, capsys):
    rows = [("00000_00000.ppm", square_image(), "40;40;10;10;29;29;5")]
    root = make_training_folder(tmp_path / "data", 5, rows)

    load_gtsrb(root, progress=True, cache=False)

    assert "GTSRB" in capsys.readouterr().err


# --- committed split ------------------------------------------------------------------


@pytest.fixture(scope="module")
def real_tracks() -> dict[int, set[int]]:
    tracks = defaultdict(set)
    for annotation in read_annotations(TRAINING):
        tracks[annotation.class_id].add(annotation.track_id % TRACK_ID_FACTOR)
    return tracks


def test_split_covers_every_class(real_tracks):
    per_class = Counter(class_id for class_id, _ in read_track_list(GTSRB_VAL_TRACKS_PATH))

    assert set(per_class) == set(range(43))
    assert min(per_class.values()) >= 2
    for class_id, count in per_class.items():
        # About a fifth of each class, and at least one track left to train on.
        assert count < len(real_tracks[class_id])
        assert count <= max(2, round(0.2 * len(real_tracks[class_id])))


def test_split_tracks_exist(real_tracks):
    for class_id, track in read_track_list(GTSRB_VAL_TRACKS_PATH):
        assert track in real_tracks[class_id], f"{class_id:05d}/{track:05d} not in the data"


def test_split_regenerates_identically(real_tracks):
    committed = read_track_list(GTSRB_VAL_TRACKS_PATH)

    assert choose_validation_tracks(real_tracks) == committed


def test_split_disjoint(stop_and_turn):
    train, validation = split_by_track(stop_and_turn)
    train_tracks = set(stop_and_turn.track_ids[train].tolist())
    validation_tracks_seen = set(stop_and_turn.track_ids[validation].tolist())

    assert train_tracks.isdisjoint(validation_tracks_seen)
    assert len(train) + len(validation) == len(stop_and_turn)
    assert sorted([*train, *validation]) == list(range(len(stop_and_turn)))
    assert validation_tracks_seen <= validation_tracks()
    for class_id in (STOP, TURN_RIGHT):
        assert len({t for t in validation_tracks_seen if t // TRACK_ID_FACTOR == class_id}) >= 2


def test_split_subset(stop_and_turn):
    _, validation = split_by_track(stop_and_turn)

    subset = stop_and_turn.subset(validation)

    assert len(subset) == len(validation)
    np.testing.assert_array_equal(subset.images[0], stop_and_turn.images[validation[0]])
    assert subset.paths[-1] == stop_and_turn.paths[validation[-1]]


def test_choose_tracks_rules():
    chosen = choose_validation_tracks({1: range(10), 2: range(3), 3: range(31)}, seed=5)
    per_class = Counter(class_id for class_id, _ in chosen)

    assert per_class == {1: 2, 2: 2, 3: 6}
    assert chosen == sorted(chosen)
    assert chosen == choose_validation_tracks({1: range(10), 2: range(3), 3: range(31)}, seed=5)
    assert chosen != choose_validation_tracks({1: range(10), 2: range(3), 3: range(31)}, seed=6)


def test_choose_tracks_independent_per_class():
    both = choose_validation_tracks({1: range(20), 2: range(20)})
    alone = choose_validation_tracks({2: range(20)})

    assert [pair for pair in both if pair[0] == 2] == alone


def test_choose_tracks_too_few_rejected():
    with pytest.raises(DatasetError, match="class 4 has 2 tracks"):
        choose_validation_tracks({4: [0, 1]})


def test_track_list_round_trip(tmp_path):
    path = tmp_path / "tracks.txt"
    pairs = [(0, 3), (14, 12)]

    write_track_list(path, pairs, header="two tracks\nfor a test")

    assert path.read_text().splitlines()[:3] == ["# two tracks", "# for a test", "00000/00003"]
    assert read_track_list(path) == pairs


@pytest.mark.parametrize(
    "content, message",
    [
        ("# header\n00014/3\n", r":2: invalid entry \"00014/3\""),
        ("00014/00003\n\n00014/00003\n", ":3: track 00014/00003 is listed twice"),
    ],
    ids=["short-number", "duplicate"],
)
def test_track_list_malformed_rejected(tmp_path, content, message):
    path = tmp_path / "tracks.txt"
    path.write_text(content)

    with pytest.raises(DatasetError, match=message) as caught:
        read_track_list(path)

    assert str(path) in str(caught.value)


# --- class table ---------------------------------------------------------------------------


def test_class_table_valid():
    table = class_attributes()

    assert sorted(table) == list(range(43))
    assert table[STOP]["text"] == "STOP"
    assert table[STOP]["shape"] == "octagon"
    assert table[7]["digits"] == "100"
    assert table[TURN_RIGHT]["fill"] == "blue"


def test_class_table_names_match_readme():
    readme = (TRAINING.parent / "README.md").read_text()
    table = class_attributes()

    for class_id, entry in table.items():
        assert f"| {class_id} | {entry['name']} |" in readme


def test_attribute_records_encode():
    schema = default_schema()
    class_ids = np.array([STOP, 1, STOP, 32])

    records = attribute_records(class_ids)
    labels = encode_labels(records, schema)

    assert len(records) == 4
    assert records[0] == records[2]
    assert records[0] is not records[2]
    assert records[1]["digits"] == "30"
    assert records[3]["strike"] == "diagonal"
    assert labels["pictogram"].tolist() == [STOP, 1, STOP, 32]
    assert labels["shape"][0] == schema.categorical["shape"].index("octagon")
    assert (labels["text"][1] != IGNORE).all()


def test_attribute_records_unknown_class():
    with pytest.raises(DatasetError, match="class id 43 is not in the GTSRB class table"):
        attribute_records([1, 43])


def table_with(tmp_path: Path, class_id: int, **changes) -> Path:
    data = yaml.safe_load(CLASS_TABLE_PATH.read_text())
    data["classes"][class_id].update(changes)
    for key, value in changes.items():
        if value is None:
            del data["classes"][class_id][key]
    path = tmp_path / "classes.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


@pytest.mark.parametrize(
    "class_id, changes, message",
    [
        (3, {"shape": "hexagon"}, r'class 3: unknown value "hexagon" for attribute "shape"'),
        (12, {"fill": "purple"}, r'class 12: unknown value "purple" for attribute "fill"'),
        (5, {"digits": "8O"}, r'class 5: value "8O" of attribute "digits" has symbols outside'),
        (14, {"text": "STOPPEN"}, r'class 14: value "STOPPEN" of attribute "text" is too long'),
        (5, {"digits": 80}, "class 5: digits must be a quoted string, got 80"),
        (9, {"border": None}, "class 9: missing border"),
        (9, {"colour": "red"}, "class 9: unknown keys colour"),
    ],
    ids=["shape", "fill", "digit-symbol", "text-length", "unquoted", "missing", "unknown-key"],
)
def test_class_table_invalid_rejected(tmp_path, class_id, changes, message):
    path = table_with(tmp_path, class_id, **changes)

    with pytest.raises(SchemaError, match=message) as caught:
        class_attributes(path)

    assert str(path) in str(caught.value)


def test_class_table_repeated_class_rejected(tmp_path):
    text = CLASS_TABLE_PATH.read_text()
    line = next(line for line in text.splitlines() if line.startswith("  4:"))
    path = tmp_path / "classes.yaml"
    path.write_text(text + line + "\n")

    with pytest.raises(SchemaError, match="repeated key 4"):
        class_attributes(path)
