"""The pictogram descriptor: the shared features, centred and projected, for one-shot matching.

The embedding head is trained to separate the training pictograms, and it
drops every direction of the shared features that does not help with them.
A pictogram it never saw then lands close to a trained one. The shared
features keep more of the image. Centring them on the training images' mean
and L2-normalising them is the feature transform of SimpleShot (Wang,
Chao, Weinberger and van der Maaten, arXiv:1911.04623), a strong baseline
for matching new classes from few examples. Projecting onto the
principal components first keeps the schema's embedding width, so exemplar
files keep their shape.

On a network trained without three warning signs, one exemplar each finds
them far more often this way than with the head, and five exemplars more
so again (docs/benchmarks.md, "A descriptor for new pictograms").
"""

from __future__ import annotations

import logging
from dataclasses import replace

import numpy as np
import torch
from sklearn.decomposition import PCA
from tqdm import tqdm

from signrules.attributes.inference import images_to_tensor
from signrules.attributes.network import AttributeNet

__all__ = ["fit_descriptor", "shared_features", "with_descriptor"]

log = logging.getLogger(__name__)

_BATCH = 512


def fit_descriptor(features: np.ndarray, dim: int) -> tuple[np.ndarray, np.ndarray, float]:
    """Fit the projection of centred ``features`` (N, F) onto their ``dim`` principal components.

    Returns the weight (dim, F) and bias (dim,) of the linear map
    ``x -> weight @ (x - mean)``, and the share of the variance it keeps.
    """
    if features.ndim != 2 or len(features) <= dim:
        raise ValueError(f"fitting a {dim}-d descriptor needs more than {dim} images, got {len(features)}")
    pca = PCA(n_components=dim, svd_solver="full").fit(features.astype(np.float64))
    weight = pca.components_.astype(np.float32)
    bias = (-pca.components_ @ pca.mean_).astype(np.float32)
    return weight, bias, float(pca.explained_variance_ratio_.sum())


@torch.inference_mode()
def shared_features(model: AttributeNet, images: np.ndarray, progress: bool = False) -> np.ndarray:
    """Return the shared features (N, feature_dim) of uint8 images (N, S, S, 3), in eval mode."""
    training = model.training
    model.eval()
    try:
        parts = [
            model.shared_features(images_to_tensor(images[start : start + _BATCH])).numpy()
            for start in tqdm(range(0, len(images), _BATCH), desc="features", unit="batch", disable=not progress)
        ]
    finally:
        model.train(training)
    return np.concatenate(parts) if parts else np.zeros((0, model.config.feature_dim), np.float32)


def with_descriptor(model: AttributeNet, images: np.ndarray, progress: bool = False) -> tuple[AttributeNet, dict]:
    """Return a copy of ``model`` whose embeddings come from a descriptor fitted on ``images``, and fit details.

    ``images`` should be the training images of the network, so that the
    descriptor is fitted on nothing it is later measured on. A model that
    already has a descriptor gets a new one.
    """
    features = shared_features(model, images, progress)
    fitted = AttributeNet(model.schema, replace(model.config, pictogram_descriptor=True))
    missing, unexpected = fitted.load_state_dict(model.state_dict(), strict=False)
    if unexpected or any(not key.startswith("descriptors.") for key in missing):
        raise ValueError(f"cannot add a descriptor to this network: missing {missing}, unexpected {unexpected}")

    kept = {}
    for name, layer in fitted.descriptors.items():
        weight, bias, kept[name] = fit_descriptor(features, layer.out_features)
        with torch.no_grad():
            layer.weight.copy_(torch.from_numpy(weight))
            layer.bias.copy_(torch.from_numpy(bias))
        log.info("fitted the %s descriptor on %d images; it keeps %.1f %% of the feature variance",
                 name, len(images), 100 * kept[name])
    fitted.eval()
    return fitted, {"images": len(images), "variance_kept": {k: round(v, 4) for k, v in kept.items()}}
