"""Which vectors of an attribute network find pictograms it never saw from a few exemplars.

Run from the repository root, with weights trained with the new classes
excluded:

    python benchmarks/pictogram_vectors.py runs/add-sign/heldout6-transplant/attributes.pt \\
        ../shared/data/gtsrb/Final_Training --new 23,25,31 --shots 1

Every pictogram class of the German rule set competes. An old class is the
mean of its training-track images. A new class is the mean of ``--shots``
training images in the eight exemplar views, picked as ``signrules train
--few-shot-classes`` picks them. Validation images take the class
of the nearest mean by cosine. Printed per kind of vector: accuracy on the
new and on the old classes, and on the new classes alone.

There are four kinds of vector. The first is the pictogram head's
embedding, the second the shared features. The third centres those on the
mean of the training images of the classes the network saw. The fourth
projects the centred features onto their 64 principal components, which
is the descriptor of ``attributes.descriptor``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import torch
from PIL import Image
from signrules.attributes.descriptor import fit_descriptor, shared_features
from signrules.attributes.gtsrb import attribute_records, load_gtsrb, split_by_track
from signrules.attributes.inference import images_to_tensor
from signrules.attributes.train import pick_shots
from signrules.attributes.weights import load_attribute_net
from signrules.engine.exemplar_views import exemplar_views


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("weights", type=Path)
    parser.add_argument("dataset", type=Path, help="GTSRB Final_Training folder")
    parser.add_argument("--new", required=True, help="comma-separated class ids the network never saw")
    parser.add_argument("--shots", type=int, default=1)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    new = [int(c) for c in args.new.split(",")]
    model, _ = load_attribute_net(args.weights)
    data = load_gtsrb(args.dataset, size=model.config.input_size)
    train, val = split_by_track(data)
    records = attribute_records(np.arange(43))
    pictograms = [c for c in range(43) if records[c]["pictogram"]]
    old = [c for c in pictograms if c not in new]

    seen = train[~np.isin(data.class_ids[train], new)]
    features = shared_features(model, data.images[seen])
    mean = features.mean(axis=0)
    weight, bias, _ = fit_descriptor(features, 64)

    def vectors(images: np.ndarray) -> dict[str, np.ndarray]:
        with torch.inference_mode():
            head = model.eval()(images_to_tensor(images))["pictogram"].numpy()
        shared = shared_features(model, images)
        return {"head embedding": head, "shared features": _unit(shared),
                "shared features, centred": _unit(shared - mean),
                "centred, 64 components": _unit(shared @ weight.T + bias)}

    old_train = train[np.isin(data.class_ids[train], old)]
    old_vectors = vectors(data.images[old_train])
    queries = val[np.isin(data.class_ids[val], pictograms)]
    query_vectors = vectors(data.images[queries])
    shots = pick_shots(train, data.class_ids, data.track_ids, new, args.shots, np.random.default_rng(args.seed))
    shot_images = {c: np.concatenate([exemplar_views(Image.fromarray(data.images[i]), model.config.input_size)
                                      for i in chosen]) for c, chosen in shots.items()}
    shot_vectors = {c: vectors(images) for c, images in shot_images.items()}

    truth = data.class_ids[queries]
    is_new = np.isin(truth, new)
    for kind, queried in query_vectors.items():
        means = [_unit(old_vectors[kind][data.class_ids[old_train] == c].mean(axis=0, keepdims=True))[0] for c in old]
        means += [_unit(shot_vectors[c][kind].mean(axis=0, keepdims=True))[0] for c in new]
        owners = np.array(old + new)
        chosen = owners[(queried @ np.stack(means).T).argmax(axis=1)]
        alone = np.array(new)[(queried[is_new] @ np.stack(means[len(old):]).T).argmax(axis=1)]
        print(f"{kind:26s} new {100 * (chosen[is_new] == truth[is_new]).mean():5.1f} %  "
              f"old {100 * (chosen[~is_new] == truth[~is_new]).mean():5.1f} %  "
              f"new alone {100 * (alone == truth[is_new]).mean():5.1f} %")


def _unit(vectors: np.ndarray) -> np.ndarray:
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


if __name__ == "__main__":
    main()
