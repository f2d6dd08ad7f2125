"""Fixtures shared by the attribute tests."""

import numpy as np
import pytest

from signrules.attributes.decode import decode_image


@pytest.fixture
def crops(gtsrb_training):
    """Return a reader of GTSRB training images: (class id, indices) -> decoded images."""

    def read(class_id: int, indices) -> list[np.ndarray]:
        paths = sorted((gtsrb_training / "Images" / f"{class_id:05d}").glob("*.ppm"))
        return [decode_image(paths[i]) for i in indices]

    return read
