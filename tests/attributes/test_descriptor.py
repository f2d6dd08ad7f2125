"""The pictogram descriptor: fitted on real crops with the shipped network, stored with the weights."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from signrules.attributes.descriptor import fit_descriptor, shared_features, with_descriptor
from signrules.attributes.gtsrb import load_gtsrb, split_by_track
from signrules.attributes.inference import AttributePredictor, images_to_tensor
from signrules.attributes.network import DESCRIPTOR_PREFIX
from signrules.attributes.weights import load_attribute_net, save_attribute_net

KEY = DESCRIPTOR_PREFIX + "pictogram"

# Seven pictogram classes and a speed limit; 23 (slippery road) and 31
# (wild animals) are left out of fitting, as new pictograms would be.
SEEN = [1, 11, 18, 25, 28, 33, 38]
UNSEEN = [23, 31]


@pytest.fixture(scope="module")
def crops(gtsrb_training):
    """Training-track and validation-track crops of SEEN and UNSEEN classes."""
    data = load_gtsrb(gtsrb_training, classes=SEEN + UNSEEN)
    train, val = split_by_track(data)
    return data.subset(train[::3]), data.subset(val)


@pytest.fixture(scope="module")
def described(crops, without_descriptor):
    model = without_descriptor()
    train, _ = crops
    seen = np.isin(train.class_ids, SEEN)
    fitted, details = with_descriptor(model, train.images[seen])
    return model, fitted, details


def test_fit_descriptor_is_centred_projection():
    # Features with a few strong directions and an offset, as ReLU-ed
    # network features have.
    rng = np.random.default_rng(0)
    scales = np.geomspace(4.0, 0.05, 32)
    features = rng.normal(size=(400, 32)) * scales + 3.0

    weight, bias, kept = fit_descriptor(features, 8)

    projected = features @ weight.T + bias
    assert np.allclose(projected.mean(axis=0), 0.0, atol=1e-3)
    assert np.allclose(weight @ weight.T, np.eye(8), atol=1e-4)
    assert kept == pytest.approx((scales[:8] ** 2).sum() / (scales**2).sum(), abs=0.03)
    with pytest.raises(ValueError, match="needs more than 8 images, got 8"):
        fit_descriptor(features[:8], 8)


def test_descriptor_only_at_inference(described, crops):
    model, fitted, details = described
    _, val = crops
    batch = images_to_tensor(val.images[:64])

    with torch.inference_mode():
        before = model.eval()(batch)
        after = fitted.eval()(batch)
        training = fitted.train()(batch)
    fitted.eval()

    # The head outputs do not change, and the descriptor is one more unit vector.
    assert details["images"] > 64
    assert torch.allclose(before["pictogram"], after["pictogram"], atol=1e-5)
    assert KEY not in before
    assert KEY not in training
    assert torch.allclose(after[KEY].norm(dim=1), torch.ones(64), atol=1e-5)
    assert fitted.config.pictogram_descriptor


def test_descriptor_survives_save_and_load(described, crops, tmp_path):
    _, fitted, _ = described
    _, val = crops

    save_attribute_net(tmp_path / "a.pt", fitted, {"note": "test"})
    loaded, metadata = load_attribute_net(tmp_path / "a.pt")
    posteriors = AttributePredictor(loaded).predict(val.images[:32])

    with torch.inference_mode():
        expected = fitted(images_to_tensor(val.images[:32]))[KEY].numpy()
    # Weights are stored as float16, so the vectors agree to about 1e-3.
    assert loaded.config.pictogram_descriptor
    assert np.abs(posteriors.descriptors["pictogram"] - expected).max() < 0.02
    assert posteriors.select([0, 1]).descriptors["pictogram"].shape == (2, 64)


def test_descriptor_separates_unseen_pictograms(described, crops):
    # One training crop per unseen class as its exemplar: validation crops
    # of those classes must find their own exemplar by the descriptor more
    # often than by the head, which was never trained on either.
    model, fitted, _ = described
    train, val = crops
    exemplars = [np.flatnonzero(train.class_ids == c)[len(np.flatnonzero(train.class_ids == c)) // 2] for c in UNSEEN]
    queries = np.isin(val.class_ids, UNSEEN)

    def accuracy(key: str, network) -> float:
        with torch.inference_mode():
            anchors = network(images_to_tensor(train.images[exemplars]))[key].numpy()
            vectors = network(images_to_tensor(val.images[queries]))[key].numpy()
        chosen = np.asarray(UNSEEN)[(vectors @ anchors.T).argmax(axis=1)]
        return float((chosen == val.class_ids[queries]).mean())

    by_descriptor = accuracy(KEY, fitted.eval())
    by_head = accuracy("pictogram", model.eval())
    assert by_descriptor >= 0.8
    assert by_descriptor >= by_head


def test_shared_features_keep_mode(described, crops):
    model, _, _ = described
    _, val = crops
    model.train()
    features = shared_features(model, val.images[:10])
    assert model.training
    model.eval()
    assert features.shape == (10, model.config.feature_dim)
