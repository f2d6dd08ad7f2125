"""Benchmark: add GTSRB classes back to a network trained without them.

For a scenario (a set of held-out classes), this script

1. trains the attribute network without the held-out classes, and plain
   softmax CNNs with the same backbone: one without them ("before") and one
   per shot count retrained with them ("after");
2. adds the held-out classes back in four ways:
   - rules: the signs' rules plus k exemplar images per pictogram class
     (zero images for digit and text classes), no retraining;
   - (a) retrain: the whole plain CNN retrained with the k images per class
     (oversampled; zero for digit and text classes, which it cannot learn);
   - (b) linear probe: the "before" CNN's backbone frozen, its last layer
     refitted on old training images plus the k images per new class;
   - (c) prototypes: nearest-prototype matching on the attribute network's
     pictogram embedding alone, without rules;
3. reports, on the validation tracks, accuracy on new and old classes when
   all classes compete, their harmonic mean, accuracy when only new (or only
   old) classes compete, the wall time to add the signs, and churn: the
   share of old-class images whose prediction changed.

Trained networks are kept in the work folder; a second run reuses them and
reports the training times recorded the first time. ``--draws N`` repeats
the additions with N random choices of exemplar images and reports the
mean, with the lowest and highest value of each figure. One exemplar per
class decides a whole class, so a single draw can be far from typical.
The plain CNN retrained with the exemplars (a) is trained once, on the
first draw only. ``--skip-plain`` leaves
out the plain CNNs and approaches (a) and (b), to compare attribute
networks in minutes.

    python benchmarks/add_sign.py heldout6 --data ../shared/data/gtsrb/Final_Training
    python benchmarks/add_sign.py kim21 --data ../shared/data/gtsrb/Final_Training
"""

from __future__ import annotations

import argparse
import json
import logging
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from sklearn.linear_model import LogisticRegression

sys.path.insert(0, str(Path(__file__).resolve().parent))
from ruleset_edit import write_subset
from signrules.attributes.gtsrb import load_gtsrb, split_by_track
from signrules.attributes.inference import AttributePredictor, images_to_tensor
from signrules.attributes.weights import load_attribute_net, load_plain_classifier
from signrules.engine.calibration import fit_calibration, save_calibration
from signrules.engine.manifest import PICTOGRAM_MATCHES
from signrules.engine.classifier import Classifier
from signrules.engine.evaluation import dataset_sign_ids
from signrules.engine.exemplar_sets import build_exemplar_sets, pictogram_classes
from signrules.engine.exemplars import ExemplarBank
from signrules.engine.loader import load_ruleset
from signrules.rules import DEFAULT_RULESET

log = logging.getLogger("add_sign")

KIM21 = [0, 6, 16, 19, 20, 21, 22, 23, 24, 27, 28, 29, 30, 32, 34, 36, 37, 39, 40, 41, 42]


@dataclass(frozen=True)
class Scenario:
    """Held-out classes: those a rule adds alone, and those that need exemplars."""

    zero_shot: tuple[int, ...]
    few_shot: tuple[int, ...]
    shots: tuple[int, ...]

    @property
    def new(self) -> list[int]:
        return sorted(self.zero_shot + self.few_shot)

    @property
    def old(self) -> list[int]:
        return [c for c in range(43) if c not in self.new]


SCENARIOS = {
    # Speed limits 60 and 100 and stop by rules alone; three warning signs by exemplars.
    "heldout6": Scenario(zero_shot=(3, 7, 14), few_shot=(23, 25, 31), shots=(1, 5)),
    # The one-shot split of Kim et al. (CVPR 2019): train on 22 classes, add 21.
    # Speed limit 20, end of speed limit 80 and end of all limits need no
    # exemplar, because a rule describes them completely.
    "kim21": Scenario(zero_shot=(0, 6, 32), few_shot=tuple(c for c in KIM21 if c not in (0, 6, 32)), shots=(1,)),
}


def get_args_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("scenario", choices=sorted(SCENARIOS))
    parser.add_argument("--data", type=Path, default=Path("../shared/data/gtsrb/Final_Training"))
    parser.add_argument("--work-dir", type=Path, default=None, help="default: runs/add-sign/SCENARIO")
    parser.add_argument("--epochs", type=int, default=14, help="epochs of the attribute network")
    parser.add_argument("--plain-epochs", type=int, default=6, help="epochs of each plain CNN")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--transplant", type=float, default=0.0, metavar="SHARE",
                        help="train the attribute network with this share of digit swaps set from printed "
                             "digits (signrules train --transplant; default: 0)")
    parser.add_argument("--derive-digits", action="store_true",
                        help="with --transplant, also set numbers from printed 6s and 9s derived from other "
                             "printed digits (signrules train --derive-digits)")
    parser.add_argument("--pictogram-match", choices=PICTOGRAM_MATCHES, default=PICTOGRAM_MATCHES[0],
                        help="how the rule sets' exemplars match (their ruleset.yaml pictogram_match; default: head)")
    parser.add_argument("--exemplar-choice", choices=["random", "closest"], default="random",
                        help="random training images as exemplars, or the last, closest image of each "
                             "randomly picked track (needs --skip-plain; default: random)")
    parser.add_argument("--draws", type=int, default=1,
                        help="random choices of exemplar images to average over (default: %(default)s)")
    parser.add_argument("--glyphs", action="store_true",
                        help="also read numbers digit by digit, with a glyph reader trained without the "
                             "held-out classes (signrules train-glyphs; trained once into the work folder)")
    parser.add_argument("--output", type=Path, default=None, help="write the results as JSON here")
    plain = parser.add_mutually_exclusive_group()
    plain.add_argument("--plain-only", action="store_true",
                       help="train the plain CNNs only, then stop (to train them while other work runs)")
    plain.add_argument("--skip-plain", action="store_true",
                       help="measure only the approaches without a plain CNN (rules and prototypes), "
                            "to compare attribute networks without training three CNNs")
    return parser


# --- training ---------------------------------------------------------------------


def train(work: Path, name: str, arguments: list[str], command: str = "train") -> tuple[Path, float]:
    """Run ``signrules train`` (or ``command``) unless its output exists; return the weights and wall seconds."""
    weights = work / f"{name}.pt"
    timing = work / f"{name}.seconds"
    if weights.exists() and timing.exists():
        return weights, float(timing.read_text())
    outputs = (["--output-dir", str(work / name), "--export", str(weights)] if command == "train"
               else ["--output", str(weights)])
    argv = [sys.executable, "-m", "signrules.engine.cli", command, "--no-progress", *outputs, *arguments]
    log.info("training %s: %s", name, " ".join(argv))
    started = time.perf_counter()
    subprocess.run(argv, check=True)
    seconds = time.perf_counter() - started
    timing.write_text(f"{seconds:.1f}\n")
    return weights, seconds


def choose_shots(data, train_index: np.ndarray, classes, shots: int, seed: int,
                 closest: bool = False) -> dict[int, np.ndarray]:
    """Pick the same ``shots`` training images per class as ``signrules train --few-shot-classes`` does.

    With ``closest``, each picked image is replaced by the last image of its
    track. A track follows one sign as the car approaches it, so its last
    image was cut from the largest and sharpest crop, the exemplar a person
    would choose.
    """
    from signrules.attributes.train import pick_shots

    chosen = pick_shots(train_index, data.class_ids, data.track_ids, list(classes), shots,
                        np.random.default_rng(seed))
    if not closest:
        return chosen

    # File names are TTTTT_FFFFF.ppm, with FFFFF counting the images of track TTTTT.
    frame = np.array([int(Path(path).stem.rsplit("_", 1)[-1]) for path in data.paths])
    replaced = {}
    for class_id, picked in chosen.items():
        last = []
        for index in picked:
            same_track = train_index[data.track_ids[train_index] == data.track_ids[index]]
            last.append(same_track[np.argmax(frame[same_track])])
        replaced[class_id] = np.array(last)
    return replaced


# --- the four approaches -----------------------------------------------------------


def rules_approach(scenario: Scenario, shots: int, data, train_index, val_index, weights: Path,
                   work: Path, seed: int, pictogram_match: str = "head", draw: int = 0,
                   closest: bool = False, glyphs: Path | None = None) -> dict:
    """Add the held-out signs by rules and exemplars; return predictions and timings.

    The exemplar images of draw ``draw`` are chosen with seed ``seed + draw``.
    ``glyphs`` is a glyph reader trained without the held-out classes; None
    reads numbers with the attribute network alone.
    """
    full = load_ruleset(DEFAULT_RULESET, check_exemplars=False)
    sign_of_class = dataset_sign_ids(full)
    family_of = {sign.member_id(e.value): sign.id for sign in full.signs for e in sign.classes if sign.is_family}
    classes_by_name = pictogram_classes(full)

    def sign_subset(classes):
        keep, values = set(), {}
        for c in classes:
            member = sign_of_class[c]
            family = family_of.get(member)
            keep.add(family or member)
            if family:
                values.setdefault(family, []).append(int(member.rsplit("_", 1)[1]))
        return keep, values

    # The network is copied so that its calibration file sits beside it.
    model_dir = work / (f"rules-{shots}shot" if draw == 0 else f"rules-{shots}shot-draw{draw}")
    if model_dir.exists():
        shutil.rmtree(model_dir)
    model_dir.mkdir(parents=True)
    local_weights = model_dir / "attributes.pt"
    shutil.copyfile(weights, local_weights)
    model, metadata = load_attribute_net(local_weights)
    # float32, as the figures in docs/benchmarks.md were measured, on any CPU.
    predictor = AttributePredictor(model, precision="float32")

    # Old pictograms: centroids of training images, as for the shipped rules.
    old_names = {n: [c for c in cs if c in scenario.old] for n, cs in classes_by_name.items()}
    old_names = {n: cs for n, cs in old_names.items() if cs}
    bank_dir = model_dir / "bank"
    train_posteriors = predictor.predict(data.images[train_index])
    build_exemplar_sets(bank_dir, train_posteriors.embeddings["pictogram"], data.class_ids[train_index], old_names,
                        weights_fingerprint=metadata["weights_fingerprint"], seed=seed,
                        descriptors=train_posteriors.descriptors.get("pictogram"))

    # Calibrate on validation images of old classes only.
    def embed_pair(images):
        posteriors = predictor.predict(images)
        return posteriors.embeddings["pictogram"], posteriors.descriptors.get("pictogram")

    bank = ExemplarBank(metadata["weights_fingerprint"], embed_pair, predictor.input_size)
    bank.load_folder(bank_dir, old_names)
    old_val = val_index[np.isin(data.class_ids[val_index], scenario.old)]
    calibration, details = fit_calibration(model, bank, old_names, data.images[old_val], data.class_ids[old_val],
                                           data.track_ids[old_val])
    save_calibration(local_weights, metadata["weights_fingerprint"], calibration, details)

    def make_set(folder: Path, classes, extra_exemplars: dict[str, list[str]]):
        keep, values = sign_subset(classes)
        write_subset(DEFAULT_RULESET, folder, keep, values)
        with (folder / "ruleset.yaml").open("a", encoding="utf-8") as manifest:
            manifest.write(f"pictogram_match: {pictogram_match}\n")
        subset = load_ruleset(folder, check_exemplars=False)
        for name in subset.pictogram_names:
            if name in old_names:
                shutil.copytree(bank_dir / name, folder / "exemplars" / name)
        return folder

    images = data.images[val_index]
    sources = [str(i) for i in range(len(images))]

    mapping = {sign: c for c, sign in sign_of_class.items()}

    def predict(classifier) -> tuple[np.ndarray, np.ndarray]:
        results, _ = classifier.classify_prepared(images, sources=sources, top_k=0)
        predicted = np.array([mapping.get(r.sign_id, -1) for r in results])
        unknown = np.array([r.is_unknown for r in results])
        return predicted, unknown

    before_dir = make_set(model_dir / "before", scenario.old, {})
    # Glyph weights turn the reader on; None leaves it off.
    classifier = Classifier(before_dir, weights=local_weights, glyph_weights=glyphs)
    before_results, _ = classifier.classify_prepared(images, sources=sources, top_k=0)
    before = np.array([mapping.get(r.sign_id, -1) for r in before_results])
    before_unknown = np.array([r.is_unknown for r in before_results])
    # The best sign and its score whatever the threshold, to show the open-set
    # trade-off at other thresholds than the rule set's.
    before_best = np.array([mapping.get(r.best.sign_id, -1) if r.best else -1 for r in before_results])
    before_score = np.array([r.best.score if r.best else 0.0 for r in before_results])

    # Adding the signs: the complete rules, and the exemplar images copied in.
    after_dir = make_set(model_dir / "after", range(43), {})
    (after_dir / "exemplars").mkdir(exist_ok=True)
    shot_paths = {}
    for c, chosen in choose_shots(data, train_index, scenario.few_shot, shots, seed + draw, closest).items():
        names = [n for n, cs in classes_by_name.items() if c in cs]
        shot_paths[c] = [data.paths[i] for i in chosen]
        for name in names:
            (after_dir / "exemplars" / name).mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    for c, paths in shot_paths.items():
        for name in [n for n, cs in classes_by_name.items() if c in cs]:
            for path in paths:
                shutil.copyfile(path, after_dir / "exemplars" / name / Path(path).name)
    classifier.reload_rules(after_dir)
    add_seconds = time.perf_counter() - started
    after, after_unknown = predict(classifier)

    new_dir = make_set(model_dir / "new-only", scenario.new, {})
    for name in load_ruleset(new_dir, check_exemplars=False).pictogram_names:
        if not (new_dir / "exemplars" / name).exists():
            shutil.copytree(after_dir / "exemplars" / name, new_dir / "exemplars" / name)
    new_only, _ = predict(Classifier(new_dir, weights=local_weights, glyph_weights=glyphs))

    return {"before": before, "after": after, "new_only": new_only, "old_only": before,
            "add_seconds": add_seconds, "before_unknown": before_unknown, "after_unknown": after_unknown,
            "before_best": before_best, "before_score": before_score,
            "shots": {c: [str(p) for p in ps] for c, ps in shot_paths.items()}}


@torch.inference_mode()
def plain_logits(model, images: np.ndarray) -> np.ndarray:
    parts = [model(images_to_tensor(images[i : i + 512])) for i in range(0, len(images), 512)]
    return torch.cat(parts).numpy()


@torch.inference_mode()
def plain_features(model, images: np.ndarray) -> np.ndarray:
    parts = [model.backbone(images_to_tensor(images[i : i + 512])) for i in range(0, len(images), 512)]
    return torch.cat(parts).numpy()


def restricted_argmax(scores: np.ndarray, classes: list[int]) -> np.ndarray:
    """Argmax over the given class columns only."""
    columns = np.asarray(classes)
    return columns[scores[:, columns].argmax(axis=1)]


def retrain_approach(scenario, before_weights, after_weights, after_seconds, data, val_index) -> dict:
    before_logits = plain_logits(load_plain_classifier(before_weights), data.images[val_index])
    after_logits = plain_logits(load_plain_classifier(after_weights), data.images[val_index])
    return {"before": before_logits.argmax(1), "after": after_logits.argmax(1),
            "new_only": restricted_argmax(after_logits, scenario.new),
            "old_only": restricted_argmax(before_logits, scenario.old), "add_seconds": after_seconds}


def linear_probe_approach(scenario, shots, before_weights, data, train_index, val_index, seed,
                          shot_seed: int) -> dict:
    model = load_plain_classifier(before_weights)
    before_logits = plain_logits(model, data.images[val_index])

    started = time.perf_counter()
    old_train = train_index[np.isin(data.class_ids[train_index], scenario.old)]
    few = np.concatenate(list(choose_shots(data, train_index, scenario.few_shot, shots, shot_seed).values()))
    chosen = np.concatenate([old_train, few])
    probe = LogisticRegression(max_iter=300, class_weight="balanced", random_state=seed)
    probe.fit(plain_features(model, data.images[chosen]), data.class_ids[chosen])
    add_seconds = time.perf_counter() - started

    probabilities = probe.predict_proba(plain_features(model, data.images[val_index]))
    scores = np.full((len(val_index), 43), -np.inf)
    scores[:, probe.classes_] = probabilities
    return {"before": before_logits.argmax(1), "after": scores.argmax(1),
            "new_only": restricted_argmax(scores, [c for c in scenario.new if c in probe.classes_] or scenario.new),
            "old_only": restricted_argmax(before_logits, scenario.old), "add_seconds": add_seconds}


def prototype_approach(scenario, shots, weights, data, train_index, val_index, seed, shot_seed: int,
                       closest: bool = False) -> dict:
    model, _ = load_attribute_net(weights)
    predictor = AttributePredictor(model, precision="float32")
    embed = lambda images: next(iter(predictor.predict(images).embeddings.values()))
    from sklearn.cluster import KMeans

    old_train = train_index[np.isin(data.class_ids[train_index], scenario.old)]
    train_embeddings = embed(data.images[old_train])
    prototypes, owners = [], []
    for c in scenario.old:
        vectors = train_embeddings[data.class_ids[old_train] == c]
        centres = KMeans(n_clusters=min(8, len(vectors)), n_init=4, random_state=seed).fit(vectors).cluster_centers_
        prototypes.append(centres / np.linalg.norm(centres, axis=1, keepdims=True))
        owners += [c] * len(centres)
    val_embeddings = embed(data.images[val_index])

    def nearest(protos, labels, allowed=None):
        similarity = val_embeddings @ np.concatenate(protos).T
        labels = np.asarray(labels)
        scores = np.full((len(val_index), 43), -np.inf)
        for c in np.unique(labels):
            scores[:, c] = similarity[:, labels == c].max(axis=1)
        return scores

    before_scores = nearest(prototypes, owners)
    started = time.perf_counter()
    for c, chosen in choose_shots(data, train_index, scenario.few_shot, shots, shot_seed, closest).items():
        prototypes.append(embed(data.images[chosen]))
        owners += [c] * len(chosen)
    after_scores = nearest(prototypes, owners)
    add_seconds = time.perf_counter() - started
    return {"before": before_scores.argmax(1), "after": after_scores.argmax(1),
            "new_only": restricted_argmax(after_scores, scenario.new),
            "old_only": restricted_argmax(before_scores, scenario.old), "add_seconds": add_seconds}


# --- metrics -------------------------------------------------------------------


def metrics(result: dict, truth: np.ndarray, scenario: Scenario) -> dict:
    is_new = np.isin(truth, scenario.new)
    is_zero = np.isin(truth, scenario.zero_shot)
    is_few = np.isin(truth, scenario.few_shot)
    after = result["after"]
    new_acc = float((after[is_new] == truth[is_new]).mean())
    old_acc = float((after[~is_new] == truth[~is_new]).mean())
    figures = {
        "add_seconds": round(result["add_seconds"], 3),
        "new": new_acc,
        "new_zero_shot": float((after[is_zero] == truth[is_zero]).mean()),
        "new_exemplar": float((after[is_few] == truth[is_few]).mean()),
        "old": old_acc,
        "harmonic_mean": 2 * new_acc * old_acc / (new_acc + old_acc) if new_acc + old_acc else 0.0,
        "new_only": float((result["new_only"][is_new] == truth[is_new]).mean()),
        "old_only": float((result["old_only"][~is_new] == truth[~is_new]).mean()),
        "churn": float((result["before"][~is_new] != after[~is_new]).mean()),
    }
    if "before_unknown" in result:
        # Open set: before the new rules exist, their images should be rejected.
        figures["rejected_unknown_new"] = float(result["before_unknown"][is_new].mean())
        figures["rejected_known_old"] = float(result["before_unknown"][~is_new].mean())
        best, score = result["before_best"], result["before_score"]
        figures["by_threshold"] = {
            str(t): {"rejected_unknown_new": float((score[is_new] < t).mean()),
                     "rejected_known_old": float((score[~is_new] < t).mean()),
                     "old_accuracy": float(((best == truth) & (score >= t))[~is_new].mean())}
            for t in (0.1, 0.2, 0.3, 0.5, 0.7, 0.9)
        }
    return figures


def summarise(draws: list[dict]) -> dict:
    """Return the first draw's figures with each number replaced by its mean over ``draws``.

    With several draws, ``range`` gives the lowest and highest value of each
    number, and ``by_draw`` the numbers of each draw. Nested figures (the open-set ones) do not depend on the
    exemplars, so they come from the first draw.
    """
    summary = dict(draws[0])
    numbers = [key for key, value in summary.items() if isinstance(value, (int, float))]
    for key in numbers:
        summary[key] = float(np.mean([figures[key] for figures in draws]))
    summary["draws"] = len(draws)
    if len(draws) > 1:
        summary["range"] = {key: [min(f[key] for f in draws), max(f[key] for f in draws)] for key in numbers}
        summary["by_draw"] = [{key: figures[key] for key in numbers} for figures in draws]
    return summary


def main(args: argparse.Namespace) -> dict:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")
    scenario = SCENARIOS[args.scenario]
    if args.draws < 1:
        raise SystemExit(f"--draws must be at least 1, got {args.draws}")
    # The CNN of (a) is retrained on the random images that signrules train picks.
    closest = args.exemplar_choice == "closest"
    if closest and not args.skip_plain:
        raise SystemExit("--exemplar-choice closest needs --skip-plain")
    work = args.work_dir or Path("runs/add-sign") / args.scenario
    work.mkdir(parents=True, exist_ok=True)
    new = ",".join(map(str, scenario.new))

    log.info("Training networks without classes %s", new)
    plain_before, plain_after = None, {}
    if not args.skip_plain:
        plain_before, _ = train(work, "plain-before", ["--model", "plain", "--exclude-classes", new,
                                                       "--epochs", str(args.plain_epochs), "--batch-size", "128"])
        for shots in scenario.shots:
            arguments = ["--model", "plain", "--epochs", str(args.plain_epochs), "--batch-size", "128",
                         "--few-shot-classes", ",".join(map(str, scenario.few_shot)), "--shots", str(shots)]
            if scenario.zero_shot:
                arguments += ["--exclude-classes", ",".join(map(str, scenario.zero_shot))]
            plain_after[shots] = train(work, f"plain-after-{shots}shot", arguments)
    if args.plain_only:
        return {}
    arguments = ["--exclude-classes", new, "--epochs", str(args.epochs)]
    if args.transplant:
        arguments += ["--transplant", str(args.transplant)]
    if args.derive_digits:
        arguments += ["--derive-digits"]
    attributes, attributes_seconds = train(work, "attributes", arguments)
    glyphs, glyphs_seconds = None, None
    if args.glyphs:
        glyphs, glyphs_seconds = train(work, "glyphs", ["--exclude-classes", new, "--seed", str(args.seed)],
                                       command="train-glyphs")

    log.info("Loading data")
    data = load_gtsrb(args.data)
    train_index, val_index = split_by_track(data)
    truth = data.class_ids[val_index]

    report = {"scenario": args.scenario, "new_classes": scenario.new, "zero_shot": list(scenario.zero_shot),
              "exemplar_classes": list(scenario.few_shot), "attribute_training_seconds": attributes_seconds,
              "pictogram_match": args.pictogram_match, "exemplar_choice": args.exemplar_choice,
              "draws": args.draws, "glyph_training_seconds": glyphs_seconds,
              "validation_images": len(val_index), "results": {}}
    for shots in scenario.shots:
        per_draw: dict[str, list[dict]] = {}
        exemplar_images = []
        for draw in range(args.draws):
            log.info("Adding %d classes with %d shot(s), draw %d of %d", len(scenario.new), shots, draw + 1,
                     args.draws)
            shot_seed = args.seed + draw
            rules = rules_approach(scenario, shots, data, train_index, val_index, attributes, work, args.seed,
                                   args.pictogram_match, draw, closest, glyphs)
            exemplar_images.append(rules["shots"])
            approaches = {"rules": rules}
            if not args.skip_plain:
                # The retrained CNN saw the first draw's images, so it is measured once.
                if draw == 0:
                    approaches["retrain"] = retrain_approach(scenario, plain_before, *plain_after[shots], data,
                                                             val_index)
                approaches["linear_probe"] = linear_probe_approach(scenario, shots, plain_before, data,
                                                                   train_index, val_index, args.seed, shot_seed)
            approaches["prototypes"] = prototype_approach(scenario, shots, attributes, data, train_index,
                                                          val_index, args.seed, shot_seed, closest)
            for name, result in approaches.items():
                per_draw.setdefault(name, []).append(metrics(result, truth, scenario))
        report["results"][f"{shots}-shot"] = {name: summarise(draws) for name, draws in per_draw.items()}
        report["results"][f"{shots}-shot"]["rules"]["exemplar_images"] = exemplar_images[0]
        if args.draws > 1:
            report["results"][f"{shots}-shot"]["rules"]["exemplar_images_by_draw"] = exemplar_images

    print(format_table(report))
    if args.output:
        args.output.write_text(json.dumps(report, indent=2) + "\n")
    return report


def format_table(report: dict) -> str:
    lines = []
    columns = ["add_seconds", "new", "new_zero_shot", "new_exemplar", "old", "harmonic_mean", "new_only", "churn"]
    for shots, results in report["results"].items():
        lines.append(f"\n{report['scenario']}, {shots}")
        lines.append("| approach | " + " | ".join(columns) + " |")
        lines.append("|---" * (len(columns) + 1) + "|")
        for name, figures in results.items():
            cells = [_cell(figures, c) for c in columns]
            lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _cell(figures: dict, column: str) -> str:
    """Format one figure, with its range over the draws when there are several."""
    text = f"{figures[column]:.1f}" if column == "add_seconds" else f"{figures[column]:.2%}"
    if "range" in figures and column != "add_seconds":
        low, high = figures["range"][column]
        text += f" ({low:.1%}-{high:.1%})"
    return text


if __name__ == "__main__":
    main(get_args_parser().parse_args())
