"""Views of an exemplar image: fixed, the original first, each a real change."""

from __future__ import annotations

import numpy as np

from signrules.attributes.decode import decode_pil, resize_square
from signrules.engine.exemplar_views import VIEW_NAMES, exemplar_views

WILD_ANIMALS = 31


def _exemplar(gtsrb_training):
    return decode_pil(sorted((gtsrb_training / "Images" / f"{WILD_ANIMALS:05d}").glob("*.ppm"))[20])


def test_views_start_with_the_original(gtsrb_training):
    image = _exemplar(gtsrb_training)

    views = exemplar_views(image, 32)

    assert views.shape == (len(VIEW_NAMES), 32, 32, 3)
    assert views.dtype == np.uint8
    assert VIEW_NAMES[0] == "original"
    assert np.array_equal(views[0], resize_square(image, 32))


def test_views_change_image_keep_sign(gtsrb_training):
    views = exemplar_views(_exemplar(gtsrb_training), 32).astype(float)

    # A view must differ from the original, but not so much that it shows
    # another picture. The centre, where the pictogram is, stays correlated.
    for name, view in zip(VIEW_NAMES[1:], views[1:]):
        assert np.abs(view - views[0]).mean() > 1.0, name
        centre, original = view[8:24, 8:24].ravel(), views[0][8:24, 8:24].ravel()
        assert np.corrcoef(centre, original)[0, 1] > 0.5, name


def test_views_are_deterministic(gtsrb_training):
    image = _exemplar(gtsrb_training)

    assert np.array_equal(exemplar_views(image, 32), exemplar_views(image, 32))
