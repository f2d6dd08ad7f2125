"""Calibration data stored beside the network weights.

The map from nearest-exemplar similarity to a probability depends on the
network, not on any rule set, so it is fitted once per weights file (on the
validation split, with ``signrules exemplars calibrate``) and stored as
``<weights>.calibration.json`` keyed by the weights fingerprint.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

from signrules.engine.exemplars import SimilarityCalibration

__all__ = ["calibration_path", "load_calibration", "save_calibration"]

log = logging.getLogger(__name__)


def calibration_path(weights_path: str | Path) -> Path:
    """Return the calibration file that belongs to a weights file."""
    weights_path = Path(weights_path)
    return weights_path.with_name(weights_path.stem + ".calibration.json")


def load_calibration(weights_path: str | Path, weights_fingerprint: str) -> SimilarityCalibration:
    """Read the similarity calibration for these weights, or fall back to the default.

    A missing file or one made for other weights logs a warning: scores are
    then uncalibrated but rankings are unchanged.
    """
    path = calibration_path(weights_path)
    if not path.exists():
        log.warning("no calibration file %s; pictogram probabilities use the default mapping", path)
        return SimilarityCalibration()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data["weights_fingerprint"] != weights_fingerprint:
            log.warning("calibration %s was fitted for other weights (%s, current %s); using the default mapping",
                        path, data["weights_fingerprint"], weights_fingerprint)
            return SimilarityCalibration()
        pictogram = data["pictogram"]
        return SimilarityCalibration(float(pictogram["slope"]), float(pictogram["intercept"]))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        log.warning("cannot read calibration %s (%s); using the default mapping", path, exc)
        return SimilarityCalibration()


def save_calibration(weights_path: str | Path, weights_fingerprint: str,
                     calibration: SimilarityCalibration, details: dict) -> Path:
    """Write the calibration file for a weights file; return its path."""
    path = calibration_path(weights_path)
    data = {
        "weights_fingerprint": weights_fingerprint,
        "pictogram": {"slope": calibration.slope, "intercept": calibration.intercept},
        **details,
    }
    partial = path.with_suffix(".partial")
    partial.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    partial.replace(path)
    return path
