"""Fixtures for tests that run the shipped network and rules on real GTSRB images."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
from signrules.attributes.gtsrb import load_gtsrb, split_by_track, validation_tracks
from signrules.engine.classifier import Classifier

MANIFEST = "name: Test\ncountry: DE\nthreshold: 0.5\n"


@pytest.fixture(scope="session")
def classifier() -> Classifier:
    return Classifier()


@pytest.fixture(scope="session")
def validation_sample(gtsrb_training):
    """Three images of every class from validation tracks: (paths, class ids)."""
    data = load_gtsrb(gtsrb_training)
    _, val_index = split_by_track(data)
    rng = np.random.default_rng(0)
    chosen = []
    for class_id in range(43):
        members = val_index[data.class_ids[val_index] == class_id]
        chosen.extend(rng.choice(members, 3, replace=False).tolist())
    return [Path(data.paths[i]) for i in chosen], data.class_ids[chosen]


@pytest.fixture(scope="session")
def track_images(gtsrb_training):
    """Return up to ``count`` image paths of a class, from training or validation tracks."""
    tracks = validation_tracks()

    def images(class_id: int, *, validation: bool, count: int) -> list[Path]:
        folder = gtsrb_training / "Images" / f"{class_id:05d}"
        paths = []
        for path in sorted(folder.glob("*.ppm")):
            track = class_id * 100000 + int(path.name.split("_")[0])
            if (track in tracks) == validation:
                paths.append(path)
        # Spread the choice over the tracks rather than one approach sequence.
        step = max(1, len(paths) // count)
        return paths[::step][:count]

    return images


@pytest.fixture
def write_ruleset(tmp_path):
    """Write a rule set folder from {file name: text}; copy exemplar images if given."""

    def write(files: dict[str, str], exemplars: dict[str, list[Path]] | None = None, *,
              pictogram_match: str = "head") -> Path:
        root = tmp_path / "set"
        root.mkdir(exist_ok=True)
        (root / "ruleset.yaml").write_text(MANIFEST + f"pictogram_match: {pictogram_match}\n", encoding="utf-8")
        for name, text in files.items():
            (root / name).write_text(text, encoding="utf-8")
        for name, paths in (exemplars or {}).items():
            folder = root / "exemplars" / name
            folder.mkdir(parents=True, exist_ok=True)
            for path in paths:
                shutil.copyfile(path, folder / path.name)
        return root

    return write
