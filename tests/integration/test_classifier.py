"""Classifier API with the shipped weights and German rules on real GTSRB images."""

from __future__ import annotations

import json
import shutil
from collections import Counter

import numpy as np
import pytest
from PIL import Image
from signrules.attributes.decode import decode_image
from signrules.attributes.weights import save_attribute_net
from signrules.engine.classifier import Classifier
from signrules.engine.errors import ClassifierError, ExemplarError, RuleSetError
from signrules.engine.evaluation import dataset_sign_ids
from signrules.engine.exemplar_views import VIEW_NAMES
from signrules.engine.exemplars import write_embeddings
from signrules.rules import DEFAULT_RULESET

STOP, SPEED_50, WILD_ANIMALS, CHILDREN = 14, 2, 31, 28

PLATE = "shape = triangle and fill = white and border = red and strike = none"


def test_validation_images_classified(classifier, validation_sample):
    paths, class_ids = validation_sample
    expected = dataset_sign_ids(classifier.ruleset)

    results = classifier.classify_batch(paths)
    wrong = [(str(p), expected[c], r.sign_id) for p, c, r in zip(paths, class_ids, results) if r.sign_id != expected[c]]

    # 129 images, 3 per class from tracks the network never saw: at most
    # four mistakes, and no class with more than two. The sample weighs the
    # rare class 15 like the common ones, and one of its validation tracks
    # is dirty enough that the shipped weights mostly reject it, so two
    # misses there are expected. The bound leaves one miss of margin.
    per_class = Counter(expected_sign for _, expected_sign, _ in wrong)
    assert len(wrong) <= 4, wrong
    assert max(per_class.values(), default=0) <= 2, wrong


def test_result_explains_match(classifier, validation_sample):
    paths, class_ids = validation_sample
    stop_path = paths[list(class_ids).index(STOP)]

    result = classifier.classify(stop_path)

    assert result.sign_id == "stop"
    assert result.name == "Stop"
    assert result.rule.split(":")[0].endswith(".signs")
    assert int(result.rule.split(":")[1]) > 0
    assert {e.predicate for e in result.evidence} >= {"shape = octagon", 'text = "STOP"'}
    assert all(e.probability > 0.5 for e in result.evidence)
    assert result.attributes["text"].value == "STOP"
    assert len(result.runners_up) == 3
    assert result.runners_up[0].score <= result.score


def loosely_framed(path, fill: float) -> np.ndarray:
    """Return the image at ``path`` shrunk to ``fill`` of its side inside its own frame, edges repeated."""
    image = decode_image(path)
    side = image.shape[0]
    inner = round(side * fill)
    small = np.asarray(Image.fromarray(image).resize((inner, inner), Image.BICUBIC))
    before = (side - inner) // 2
    return np.pad(small, ((before, side - inner - before), (before, side - inner - before), (0, 0)), mode="edge")


def test_zoom_finds_loosely_framed_signs(classifier, validation_sample):
    paths, class_ids = validation_sample
    expected = dataset_sign_ids(classifier.ruleset)
    loose = [loosely_framed(path, 0.55) for path in paths]
    truth = [expected[c] for c in class_ids]

    zoomed = classifier.classify_batch(loose)
    whole = Classifier(zoom=False).classify_batch(loose)

    # Framed this loosely, most signs match no rule as a whole, and most
    # come back right from a centre crop.
    assert np.mean([r.is_unknown for r in whole]) > 0.5
    assert np.mean([r.sign_id == t for r, t in zip(zoomed, truth)]) > 0.8
    assert all(r.zoom < 1.0 for r, w in zip(zoomed, whole) if w.is_unknown and not r.is_unknown)
    assert all(r.zoom == 1.0 and r.sign_id == w.sign_id for r, w in zip(zoomed, whole) if not w.is_unknown)
    assert json.loads(json.dumps(zoomed[0].to_dict()))["zoom"] == zoomed[0].zoom


def test_family_reports_number(classifier, validation_sample):
    paths, class_ids = validation_sample
    result = classifier.classify(paths[list(class_ids).index(SPEED_50)])

    assert result.sign_id == "speed_limit_50"
    assert result.name == "Speed limit 50 km/h"
    assert result.attributes["digits"].value == "50"


def test_input_kinds_agree(classifier, validation_sample):
    path = validation_sample[0][0]
    array = decode_image(path)
    kinds = [path, str(path), Image.open(path), array, array.astype(np.float32) / 255.0]

    results = [classifier.classify(kind) for kind in kinds]

    assert len({r.sign_id for r in results}) == 1
    assert max(r.score for r in results) - min(r.score for r in results) < 1e-3


def test_same_answer_alone_and_in_batch(classifier, validation_sample):
    paths = validation_sample[0][:40]

    batch = classifier.classify_batch(paths)
    alone = [classifier.classify(path) for path in paths]

    assert [r.sign_id for r in batch] == [r.sign_id for r in alone]
    np.testing.assert_allclose([r.score for r in batch], [r.score for r in alone], atol=1e-4)


def test_array_batch_accepted(classifier, validation_sample):
    arrays = np.stack([decode_image(p) for p in validation_sample[0][:5]])

    results = classifier.classify_batch(arrays)

    assert len(results) == 5
    assert results[0].source == "<ndarray 0>"


def test_classify_rejects_list(classifier, validation_sample):
    with pytest.raises(ClassifierError, match="classify_batch"):
        classifier.classify(list(validation_sample[0][:2]))


@pytest.mark.parametrize("weight", [1.2, -0.1, float("nan"), "abc", True])
def test_glyph_pool_weight_rejected(weight):
    with pytest.raises(ClassifierError, match="invalid glyph pool weight .*: expected a number from 0 to 1"):
        Classifier(glyph_pool_weight=weight)


def test_glyph_pool_weight_turns_reader_on():
    classifier = Classifier(glyph_pool_weight=0.7)

    assert classifier.glyph_reader is not None
    assert classifier.predictor.glyph_weight == 0.7


def test_bfloat16_and_float32_agree(validation_sample):
    # bfloat16 keeps about three significant digits. On real images the
    # signs named and most scores stay the same. Only a sign near the
    # threshold may change, and none in this sample is that close.
    paths = validation_sample[0]
    results = {precision: Classifier(precision=precision).classify_batch(paths)
               for precision in ("float32", "bfloat16")}

    assert [r.sign_id for r in results["float32"]] == [r.sign_id for r in results["bfloat16"]]
    assert {r.to_dict()["precision"] for r in results["bfloat16"]} == {"bfloat16"}
    differences = np.abs([a.score - b.score for a, b in zip(results["float32"], results["bfloat16"])])
    assert np.median(differences) < 1e-3
    assert differences.max() < 0.1


def test_precision_auto_follows_the_cpu():
    from signrules.attributes.inference import native_bfloat16

    classifier = Classifier()

    assert classifier.precision == ("bfloat16" if native_bfloat16() else "float32")
    assert Classifier(precision="float32").precision == "float32"
    with pytest.raises(ClassifierError, match="invalid precision 'half': expected one of auto, float32, bfloat16"):
        Classifier(precision="half")


def test_cli_precisions_match_the_library():
    from signrules.attributes.inference import PRECISIONS
    from signrules.engine.cli.common import _PRECISIONS

    assert _PRECISIONS == PRECISIONS


def test_to_dict_is_json(classifier, validation_sample):
    result = classifier.classify(validation_sample[0][0])

    data = json.loads(json.dumps(result.to_dict()))

    assert data["sign_id"] == result.sign_id
    assert data["rule"] == result.rule
    assert len(data["evidence"]) == len(result.evidence)
    assert set(data["attributes"]) == {"shape", "fill", "border", "strike", "digits", "text"}


def test_unknown_when_no_rule_fits(write_ruleset, validation_sample):
    # A rule set that only knows the stop sign must not call a speed limit "stop".
    root = write_ruleset({"stop.signs": 'sign stop "Stop"\n  when shape = octagon and text = "STOP"\n'})
    classifier = Classifier(root)
    paths, class_ids = validation_sample

    speed_limit = classifier.classify(paths[list(class_ids).index(SPEED_50)])
    stop = classifier.classify(paths[list(class_ids).index(STOP)])

    assert speed_limit.is_unknown
    assert speed_limit.name == "Unknown sign"
    assert speed_limit.best.sign_id == "stop"
    assert speed_limit.score < speed_limit.threshold
    assert stop.sign_id == "stop"


def test_reload_keeps_rules_on_error(write_ruleset, validation_sample):
    root = write_ruleset({"stop.signs": 'sign stop "Stop"\n  when shape = octagon and text = "STOP"\n'})
    classifier = Classifier(root)
    (root / "broken.signs").write_text('sign broken "Broken"\n  when shape = hexagon\n', encoding="utf-8")

    with pytest.raises(RuleSetError) as info:
        classifier.reload_rules()

    assert "hexagon" in str(info.value.problems)
    assert [s.id for s in classifier.ruleset.signs] == ["stop"]
    assert classifier.classify(validation_sample[0][0]).sign_id in {"stop", "unknown"}


def test_new_pictogram_sign_without_retraining(write_ruleset, track_images):
    # Adding a sign is a rule plus one exemplar; validation images of the
    # new class then get the new sign, and no image moves between old signs.
    children = f'sign children "Children"\n  when {PLATE} and pictogram ~ children\n'
    root = write_ruleset(
        {"children.signs": children},
        exemplars={"children": track_images(CHILDREN, validation=False, count=1)},
    )
    classifier = Classifier(root)
    probe = track_images(WILD_ANIMALS, validation=True, count=30) + track_images(CHILDREN, validation=True, count=30)
    before = classifier.classify_batch(probe)

    (root / "animals.signs").write_text(
        f'sign wild_animals "Wild animals"\n  when {PLATE} and pictogram ~ deer\n', encoding="utf-8"
    )
    with pytest.raises(RuleSetError, match='missing exemplar "deer"'):
        classifier.reload_rules()
    (root / "exemplars" / "deer").mkdir()
    for path in track_images(WILD_ANIMALS, validation=False, count=1):
        (root / "exemplars" / "deer" / path.name).write_bytes(path.read_bytes())
    classifier.reload_rules()
    after = classifier.classify_batch(probe)

    animals = [r.sign_id for r in after[:30]]
    assert animals.count("wild_animals") >= 24, animals
    for old, new in zip(before, after):
        assert new.sign_id in {old.sign_id, "wild_animals"}


@pytest.mark.parametrize("pictogram_match", ["head", "head+descriptor"])
def test_add_exemplars_in_running_process(write_ruleset, track_images, pictogram_match):
    root = write_ruleset(
        {"animals.signs": f'sign wild_animals "Wild animals"\n  when {PLATE} and pictogram ~ deer\n'},
        exemplars={"deer": track_images(WILD_ANIMALS, validation=False, count=1)},
        pictogram_match=pictogram_match,
    )
    classifier = Classifier(root)
    extra = track_images(WILD_ANIMALS, validation=False, count=4)

    count = classifier.add_exemplars("deer", [decode_image(p) for p in extra])

    deer = classifier.bank.sets["deer"]
    assert count == 5
    assert deer.exemplars == 5
    # Each image is embedded in every view, original first: by the head,
    # or by the descriptor.
    if pictogram_match == "head":
        assert deer.embeddings.shape[0] == 5 * len(VIEW_NAMES)
        assert deer.descriptors is None
    else:
        assert deer.descriptors.shape[0] == 5 * len(VIEW_NAMES)
        assert deer.embeddings.shape[0] == 0


def test_image_exemplars_scored_by_descriptor(write_ruleset, track_images):
    root = write_ruleset(
        {"animals.signs": f'sign wild_animals "Wild animals"\n  when {PLATE} and pictogram ~ deer\n'},
        exemplars={"deer": track_images(WILD_ANIMALS, validation=False, count=1)},
        pictogram_match="head+descriptor",
    )
    classifier = Classifier(root)
    probe = track_images(WILD_ANIMALS, validation=True, count=20) + track_images(CHILDREN, validation=True, count=20)
    posteriors = classifier.posteriors(probe)
    embeddings, descriptors = posteriors.embeddings["pictogram"], posteriors.descriptors["pictogram"]
    bank = classifier.bank

    similarity = bank.descriptor_similarity(descriptors, ["deer"])["deer"]
    probability = bank.probabilities(embeddings, ["deer"], descriptors)["deer"]

    assert np.allclose(probability, bank.descriptor_calibration.probability(similarity))
    assert np.median(probability[:20]) > 0.5 > np.median(probability[20:])
    with pytest.raises(ExemplarError, match="no descriptors"):
        bank.probabilities(embeddings, ["deer"])


def test_german_rules_match_by_head(classifier):
    # The shipped rule set keeps pictogram_match: head, so the descriptor
    # centroids its exemplar files carry are not used.
    assert classifier.ruleset.manifest.pictogram_match == "head"
    assert all(s.stored_descriptors is None for s in classifier.bank.sets.values())


def test_stored_sets_need_head_and_descriptor(tmp_path, track_images):
    # With pictogram_match: head+descriptor a shipped set matches only where
    # both the head's and the descriptor's centroids agree: the product of
    # the two calibrated probabilities.
    rules = tmp_path / "de"
    shutil.copytree(DEFAULT_RULESET, rules)
    with (rules / "ruleset.yaml").open("a", encoding="utf-8") as manifest:
        manifest.write("pictogram_match: head+descriptor\n")
    classifier = Classifier(rules)
    probe = track_images(16, validation=True, count=10) + track_images(CHILDREN, validation=True, count=10)
    posteriors = classifier.posteriors(probe)
    embeddings, descriptors = posteriors.embeddings["pictogram"], posteriors.descriptors["pictogram"]
    bank = classifier.bank

    head = bank.calibration.probability(bank.similarity(embeddings, ["truck"])["truck"])
    guard = bank.stored_descriptor_calibration.probability(
        bank.stored_descriptor_similarity(descriptors, ["truck"])["truck"])
    probability = bank.probabilities(embeddings, ["truck"], descriptors)["truck"]

    assert bank.sets["truck"].stored_descriptors.shape == (8, 64)
    assert np.allclose(probability, head * guard)
    assert np.median(probability[:10]) > 0.5 > probability[10:].max()


def test_stored_descriptors_round_trip(write_ruleset, classifier, track_images):
    root = write_ruleset({"animals.signs": f'sign wild_animals "Wild animals"\n  when {PLATE} and pictogram ~ deer\n'},
                         pictogram_match="head+descriptor")
    posteriors = classifier.posteriors(track_images(WILD_ANIMALS, validation=False, count=3))
    write_embeddings(root / "exemplars" / "deer", posteriors.embeddings["pictogram"], ["a", "b", "c"],
                     classifier.weights_fingerprint, posteriors.descriptors["pictogram"])

    loaded = Classifier(root).bank.sets["deer"]

    # Stored as float16, so equal to about 1e-3.
    assert np.abs(loaded.stored_descriptors - posteriors.descriptors["pictogram"]).max() < 2e-3
    assert loaded.descriptors is None
    assert loaded.sources == ["a", "b", "c"]
    write_embeddings(root / "exemplars" / "deer", posteriors.embeddings["pictogram"], ["a", "b", "c"],
                     classifier.weights_fingerprint, np.zeros((0, 64)))
    with pytest.raises(ExemplarError, match="non-empty 2-D array 'descriptors'"):
        Classifier(root)


def test_network_without_descriptor_embeds_images_with_head(write_ruleset, track_images, tmp_path,
                                                            without_descriptor):
    # Weights made before descriptors existed still take exemplar images.
    save_attribute_net(tmp_path / "older.pt", without_descriptor(), {})
    root = write_ruleset(
        {"animals.signs": f'sign wild_animals "Wild animals"\n  when {PLATE} and pictogram ~ deer\n'},
        exemplars={"deer": track_images(WILD_ANIMALS, validation=False, count=1)},
    )

    classifier = Classifier(root, weights=tmp_path / "older.pt")
    results = classifier.classify_batch(track_images(WILD_ANIMALS, validation=True, count=10))

    assert classifier.bank.sets["deer"].descriptors is None
    assert classifier.bank.sets["deer"].embeddings.shape[0] == len(VIEW_NAMES)
    assert all(r.best.sign_id == "wild_animals" for r in results)


def test_stale_embeddings_rejected(write_ruleset, classifier):
    root = write_ruleset({"animals.signs": f'sign wild_animals "Wild animals"\n  when {PLATE} and pictogram ~ deer\n'})
    vectors = np.eye(1, 64, dtype=np.float32)
    write_embeddings(root / "exemplars" / "deer", vectors, ["test"], weights_fingerprint="0000000000000000")

    with pytest.raises(ExemplarError, match="other network weights"):
        Classifier(root)
