"""Benchmark scripts of the glyph reader, faded colours and framing, run on a few real speed-limit images."""

from __future__ import annotations

import csv
import json
import shutil
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"
sys.path.insert(0, str(BENCHMARKS))

import faded_colours  # noqa: E402
import framing  # noqa: E402
import glyph_pooling  # noqa: E402
import glyph_reading  # noqa: E402

HEADER = "Filename;Width;Height;Roi.X1;Roi.Y1;Roi.X2;Roi.Y2;ClassId"


@pytest.fixture(scope="module")
def speed_limits(gtsrb_training, tmp_path_factory) -> Path:
    """A test-layout folder with eight images near the end of the first track of speed limits 30 and 60."""
    folder = tmp_path_factory.mktemp("speed_limits")
    rows = [HEADER]
    for class_id in (1, 3):
        annotations = gtsrb_training / "Images" / f"{class_id:05d}" / f"GT-{class_id:05d}.csv"
        with open(annotations, newline="", encoding="utf-8") as file:
            entries = list(csv.reader(file, delimiter=";"))[1:]
        for entry in entries[22:30]:
            name = f"{class_id:02d}_{entry[0]}"
            shutil.copyfile(annotations.parent / entry[0], folder / name)
            rows.append(";".join([name, *entry[1:]]))
    (folder / "GT-final_test.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    return folder


def test_glyph_reading_by_size(speed_limits, capsys):
    weights = Path(__file__).resolve().parents[2] / "attributes" / "weights" / "glyphs.pt"

    assert glyph_reading.main([str(weights), str(speed_limits), "--held-out", "3", "--json"]) == 0
    out, err = capsys.readouterr()
    report = json.loads(out)

    rows = {row["class_id"]: row for row in report["classes"]}
    assert sorted(rows) == [1, 3]
    for row in rows.values():
        assert row["images"] == 8
        assert sum(entry["images"] for entry in row["by_size"]) == 8
    assert sum(entry["images"] for entry in report["held_out"]["by_size"]) == 8
    # The shipped reader learned from 60s, so class 3 is not held out for it.
    assert "was trained on classes [3]" in err

    assert glyph_reading.main([str(weights), str(speed_limits), "--held-out", "3"]) == 0
    out = capsys.readouterr().out
    assert "exact by sign size" in out
    for size_bin in rows[1]["by_size"]:
        assert f"({size_bin['images']})" in out


def test_glyph_pooling_weights(speed_limits, capsys):
    root = Path(__file__).resolve().parents[2] / "attributes" / "weights"
    arguments = [str(root / "attributes.pt"), str(root / "glyphs.pt"), str(speed_limits)]

    assert glyph_pooling.main([*arguments, "--pool-weights", "0,1", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)["rows"]

    assert [row["pool_weight"] for row in rows] == [0.0, 1.0]
    for row in rows:
        # A test-layout folder has no tracks, so every image counts as seen.
        share = row["seen numbers"]
        assert 0.5 <= share <= 1.0


def test_glyph_pooling_rejects_class_without_number(speed_limits, capsys):
    assert glyph_pooling.main(["a.pt", "b.pt", str(speed_limits), "--held-out", "14"]) == 2
    assert "classes [14] show no number" in capsys.readouterr().err


def test_faded_colours_grey_loses_what_needs_colour(speed_limits, capsys):
    # The rules require the red rim of a speed limit, so unchanged images
    # are named and grey ones mostly are not.
    assert faded_colours.main([str(speed_limits), "--colour", "1,0", "--exposure", "0.8", "--json"]) == 0
    rows = {row["condition"]: row for row in json.loads(capsys.readouterr().out)["rows"]}

    assert sorted(rows) == ["colour 0", "colour 1", "exposure 0.8"]
    assert all(row["images"] == 16 for row in rows.values())
    assert rows["colour 1"]["accuracy"] >= 14 / 16
    assert rows["colour 0"]["accuracy"] < rows["colour 1"]["accuracy"]
    assert sum(entry["images"] for entry in rows["colour 1"]["lowest"]) == 16

    assert faded_colours.main([str(speed_limits), "--colour", "2"]) == 2
    assert "--colour values must be in [0.0, 1.0], got '2'" in capsys.readouterr().err


def test_framing_zoom_finds_shrunk_signs(speed_limits, capsys):
    # A test folder has no tracks, so every image counts.
    assert framing.main([str(speed_limits), "--fills", "1.0,0.5", "--every", "1", "--json"]) == 0
    rows = {row["fill"]: row for row in json.loads(capsys.readouterr().out)["rows"]}

    assert sorted(rows) == [0.5, 1.0]
    assert all(row["images"] == 16 for row in rows.values())
    assert rows[0.5]["zoom"]["accuracy"] > rows[0.5]["no zoom"]["accuracy"]
