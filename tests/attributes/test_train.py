"""Training: seeded, resumable, with excluded and few-shot classes, on real GTSRB."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch
from signrules.attributes.gtsrb import attribute_records
from signrules.attributes.labels import IGNORE, encode_labels
from signrules.attributes.schema import default_schema
from signrules.attributes.train import drop_colour_labels, ignore_real_digits, main
from signrules.attributes.train_args import get_args_parser
from signrules.attributes.weights import load_attribute_net

# A few hundred images keep each run to seconds; the point is the
# mechanics, not accuracy.
SMALL = ["--max-images", "300", "--synthetic", "300", "--batch-size", "64", "--workers", "1", "--no-progress"]


def run(gtsrb_training, output_dir, *extra: str) -> dict:
    args = get_args_parser().parse_args(["--data", str(gtsrb_training), "--output-dir", str(output_dir), *SMALL, *extra])
    return main(args)


def state(path) -> dict[str, torch.Tensor]:
    return torch.load(path, map_location="cpu", weights_only=False)["model"]


def test_same_seed_same_weights(gtsrb_training, tmp_path):
    run(gtsrb_training, tmp_path / "a", "--epochs", "1")
    run(gtsrb_training, tmp_path / "b", "--epochs", "1")

    first, second = state(tmp_path / "a" / "checkpoint.pt"), state(tmp_path / "b" / "checkpoint.pt")
    for key in first:
        assert torch.equal(first[key], second[key]), key


def test_resume_matches_uninterrupted(gtsrb_training, tmp_path):
    run(gtsrb_training, tmp_path / "straight", "--epochs", "2")
    run(gtsrb_training, tmp_path / "resumed", "--epochs", "2", "--stop-after", "1")
    run(gtsrb_training, tmp_path / "resumed", "--epochs", "2", "--resume")

    straight = state(tmp_path / "straight" / "checkpoint.pt")
    resumed = state(tmp_path / "resumed" / "checkpoint.pt")
    records = (tmp_path / "resumed" / "metrics.jsonl").read_text().splitlines()

    assert [json.loads(r)["epoch"] for r in records] == [1, 2]
    for key in straight:
        assert torch.equal(straight[key], resumed[key]), key


def test_metrics_logged_per_epoch(gtsrb_training, tmp_path):
    run(gtsrb_training, tmp_path, "--epochs", "2")

    records = [json.loads(line) for line in (tmp_path / "metrics.jsonl").read_text().splitlines()]

    assert [r["epoch"] for r in records] == [1, 2]
    for name in ("shape", "fill", "border", "strike", "digits", "text", "pictogram"):
        assert name in records[-1]["loss"]
        assert 0.0 <= records[-1]["val"][name] <= 1.0
    assert "train.log" in {p.name for p in tmp_path.iterdir()}


def test_washout_everywhere_trains_no_colour_head(gtsrb_training, tmp_path):
    # Every image washed out: the fill and border heads get no label, so
    # their loss is zero, while shape and pictogram still learn.
    run(gtsrb_training, tmp_path, "--epochs", "1", "--washout", "1")

    record = json.loads((tmp_path / "metrics.jsonl").read_text().splitlines()[-1])

    assert record["loss"]["fill"] == 0.0
    assert record["loss"]["border"] == 0.0
    assert record["loss"]["shape"] > 0.0
    assert record["loss"]["pictogram"] > 0.0


def test_drop_colour_labels_only_on_washed_images():
    schema = default_schema()
    class_ids = np.array([1, 14, 33, 16])
    labels = {name: torch.from_numpy(values)
              for name, values in encode_labels(attribute_records(class_ids), schema).items()}
    before = {name: values.clone() for name, values in labels.items()}
    washed = torch.tensor([True, False, True, False])

    drop_colour_labels(labels, washed, schema)

    assert {name for name, a in schema.categorical.items() if a.colour} == {"fill", "border"}
    for name in ("fill", "border"):
        assert bool((labels[name][washed] == IGNORE).all())
        assert torch.equal(labels[name][~washed], before[name][~washed])
    for name in ("shape", "strike", "digits", "text", "pictogram"):
        assert torch.equal(labels[name], before[name])


def test_excluded_classes_measured(gtsrb_training, tmp_path):
    export = tmp_path / "weights.pt"
    metrics = run(gtsrb_training, tmp_path, "--epochs", "1", "--exclude-classes", "14,3", "--max-images", "3000",
                  "--export", str(export))

    model, metadata = load_attribute_net(export)

    assert "heldout_digits_shown" in metrics
    assert "heldout_text_shown" in metrics
    assert metadata["excluded_classes"] == [3, 14]
    # The export carries a descriptor fitted on the real training images,
    # which exclude the held-out classes.
    assert model.config.pictogram_descriptor
    assert 64 < metadata["descriptor"]["images"] <= 3000


@pytest.mark.parametrize(
    ("option", "message"),
    [
        (["--exclude-classes", "3,x"], "invalid GTSRB class id 'x'"),
        (["--exclude-classes", "43"], "invalid GTSRB class id '43'"),
        (["--few-shot-classes", "3", "--exclude-classes", "3"], "both excluded and few-shot"),
        (["--few-shot-classes", "3", "--shots", "0"], "--shots must be at least 1"),
        (["--ignore-real-digits", "1.5"], "--ignore-real-digits must be in \\[0, 1\\], got 1.5"),
        (["--exposure", "-0.1"], "--exposure must be in \\[0, 1\\], got -0.1"),
        (["--stains", "2"], "--stains must be in \\[0, 1\\], got 2.0"),
        (["--occlusion", "-1"], "--occlusion must be in \\[0, 1\\], got -1.0"),
        (["--washout", "1.5"], "--washout must be in \\[0, 1\\], got 1.5"),
        (["--transplant", "1.5"], "--transplant must be in \\[0, 1\\], got 1.5"),
        (["--blank-plates", "-0.1"], "--blank-plates must be in \\[0, 1\\], got -0.1"),
        (["--min-scale", "0.1"], "--min-scale must be in \\[0.3, 1\\], got 0.1"),
        (["--derive-digits"], "--derive-digits needs --transplant above 0"),
        (["--column-reader", "--no-string-reader"], "cannot be combined with --no-string-reader"),
    ],
)
def test_invalid_class_options(gtsrb_training, tmp_path, option, message):
    with pytest.raises(ValueError, match=message):
        run(gtsrb_training, tmp_path, "--epochs", "1", *option)


def test_ignore_real_digits_masks_shown_strings():
    # 200 speed limits 30 (digits), 100 stop signs (text), 100 yield signs
    # (neither): half of the shown strings lose their labels, and no label
    # of "none" is touched, because "shows no digits" is still worth learning.
    schema = default_schema()
    class_ids = np.array([1] * 200 + [14] * 100 + [13] * 100)
    labels = encode_labels(attribute_records(class_ids), schema)
    before = {name: labels[name].copy() for name in schema.strings}

    masked = ignore_real_digits(labels, schema, 0.5, seed=0)

    ignored = {name: (labels[name] == IGNORE).all(axis=1) for name in schema.strings}
    assert masked == int(ignored["digits"].sum() + ignored["text"].sum())
    assert 70 < ignored["digits"][:200].sum() < 130
    assert 25 < ignored["text"][200:300].sum() < 75
    assert not ignored["digits"][200:].any()
    assert not ignored["text"][:200].any()
    assert not ignored["text"][300:].any()
    for name in schema.strings:
        assert np.array_equal(labels[name][~ignored[name]], before[name][~ignored[name]])
