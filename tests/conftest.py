"""Fixtures shared by the whole suite."""

import os
from pathlib import Path

import pytest

REPOSITORY = Path(__file__).resolve().parents[1]

#: The real GTSRB training set, read in place (never copied into the repository).
#: SIGNRULES_GTSRB overrides the default location beside the checkout.
GTSRB_TRAINING = Path(
    os.environ.get("SIGNRULES_GTSRB", REPOSITORY.parent / "shared" / "data" / "gtsrb" / "Final_Training")
)


@pytest.fixture(scope="session")
def gtsrb_training() -> Path:
    if not (GTSRB_TRAINING / "Images").is_dir():
        pytest.skip(f"GTSRB training set not found at {GTSRB_TRAINING}; set SIGNRULES_GTSRB")
    return GTSRB_TRAINING
