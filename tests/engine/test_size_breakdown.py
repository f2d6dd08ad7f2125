"""Accuracy by sign size in evaluation reports."""

import numpy as np

from signrules.engine.evaluation import size_breakdown


def test_sizes_fall_into_half_open_bins():
    sizes = np.array([10.0, 23.9, 24.0, 31.0, 47.0, 48.0, 200.0])
    correct = np.array([True, False, True, True, False, True, True])
    unknown = np.array([False, True, False, False, True, False, False])

    bins = size_breakdown(sizes, correct, unknown)

    assert [(b.min_side, b.max_side, b.images) for b in bins] == [
        (0.0, 24, 2), (24, 32, 2), (32, 48, 1), (48, 96, 1), (96, float("inf"), 1)]
    assert [b.correct for b in bins] == [1, 2, 0, 1, 1]
    assert [b.unknown for b in bins] == [1, 0, 1, 0, 0]
    assert [b.label for b in bins] == ["under 24 px", "24-32 px", "32-48 px", "48-96 px", "96 px and over"]


def test_empty_bins_are_left_out():
    bins = size_breakdown(np.array([30.0, 31.0]), np.array([True, False]), np.array([False, False]))

    assert len(bins) == 1
    assert bins[0].accuracy == 0.5


def test_open_last_bin_in_json():
    bins = size_breakdown(np.array([12.0, 150.0]), np.array([True, True]), np.array([False, False]))

    assert bins[0].to_dict()["side_from_px"] == 0.0
    assert bins[0].to_dict()["side_to_px"] == 24.0
    assert bins[-1].to_dict()["side_to_px"] is None
