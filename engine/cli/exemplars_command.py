"""``signrules exemplars``: add, list and build pictogram exemplars."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from signrules.engine.cli.common import add_model_options, load_classifier, show_progress
from signrules.engine.cli.exit_codes import ExitCode
from signrules.engine.errors import ExemplarError
from signrules.rules import DEFAULT_RULESET


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "exemplars",
        help="add, list or build pictogram exemplars",
        description="Manage the exemplar images behind `pictogram ~ NAME` tests. "
        "Exemplars live in <rule set>/exemplars/NAME/.",
    )
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)

    add = actions.add_parser("add", help="copy exemplar images for a pictogram into the rule set",
                             description="Check that every image decodes, then copy them into "
                             "<rule set>/exemplars/NAME/. Nothing is copied if any image is bad.")
    add.add_argument("name", metavar="NAME",
                     help="exemplar name, or the id of a sign whose rule names exactly one pictogram")
    add.add_argument("images", nargs="+", type=Path, metavar="IMAGE",
                     help="image files of the pictogram (png, jpg, jpeg, ppm, bmp or webp)")
    add.add_argument("--rules", type=Path, default=DEFAULT_RULESET, metavar="DIR",
                     help="rule set folder (default: the shipped German set)")
    add.set_defaults(func=run_add)

    listing = actions.add_parser("list", help="list exemplar sets and the signs that use them")
    listing.add_argument("--rules", type=Path, default=DEFAULT_RULESET, metavar="DIR",
                         help="rule set folder (default: the shipped German set)")
    listing.set_defaults(func=run_list)

    build = actions.add_parser(
        "build", help="derive exemplar embeddings from a labelled GTSRB folder",
        description="For each pictogram the rules name, embed the training-split images of the GTSRB "
        "classes whose signs use it and store k-means centroids as exemplars/NAME/embeddings.npz. "
        "Run it again after retraining the network: stored embeddings are tied to the weights.")
    build.add_argument("dataset", type=Path, metavar="DATASET_DIR", help="GTSRB Final_Training folder")
    add_model_options(build, threshold=False, precision=False)
    build.add_argument("--per-class", type=int, default=8, metavar="K", help="centroids per pictogram (default 8)")
    build.add_argument("--no-progress", action="store_true", help="hide progress bars")
    build.set_defaults(func=run_build)



def _exemplar_name(rules: Path, name: str) -> str:
    """Resolve a sign id to the one exemplar name its rule uses; other names pass through."""
    from signrules.engine.compiler import PictogramTest, iter_predicates
    from signrules.engine.loader import load_ruleset

    ruleset = load_ruleset(rules, check_exemplars=False)
    try:
        sign = ruleset.sign(name)
    except KeyError:
        return name
    names = sorted({p.exemplar for p in iter_predicates(sign.condition) if isinstance(p, PictogramTest)})
    if len(names) != 1:
        raise ExemplarError(f"sign \"{name}\" names {len(names)} pictograms "
                            f"({', '.join(names) or 'none'}); give the exemplar name instead")
    return names[0]


def run_add(args: argparse.Namespace) -> int:
    from signrules.engine.exemplars import add_exemplar_images

    name = _exemplar_name(args.rules, args.name)
    written = add_exemplar_images(args.rules / "exemplars" / name, args.images)
    for path in written:
        print(f"added {path}")
    print(f'pictogram "{name}" now has exemplars in {args.rules / "exemplars" / name}; '
          f"check with `signrules lint {args.rules}`")
    return ExitCode.OK


def run_list(args: argparse.Namespace) -> int:
    from signrules.engine.compiler import PictogramTest, iter_predicates
    from signrules.engine.exemplar_files import EMBEDDINGS_FILE, IMAGE_SUFFIXES
    from signrules.engine.loader import load_ruleset

    ruleset = load_ruleset(args.rules, check_exemplars=False)
    users: dict[str, list[str]] = {}
    for sign in ruleset.signs:
        for predicate in iter_predicates(sign.condition):
            if isinstance(predicate, PictogramTest):
                users.setdefault(predicate.exemplar, []).append(sign.id)

    missing = 0
    for name in sorted(users):
        folder = args.rules / "exemplars" / name
        images = [p for p in folder.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES] if folder.is_dir() else []
        stored = "embeddings" if (folder / EMBEDDINGS_FILE).exists() else ""
        what = ", ".join(filter(None, [f"{len(images)} images" if images else "", stored])) or "MISSING"
        missing += what == "MISSING"
        print(f"{name:<24} {what:<24} used by {', '.join(users[name])}")
    return ExitCode.PROBLEMS_FOUND if missing else ExitCode.OK


def _embed_dataset(predictor, dataset: Path, split: str, progress: bool):
    """Embed the images of one split of a GTSRB folder; return embeddings, descriptors (or None) and class ids."""
    from signrules.attributes.gtsrb import load_gtsrb
    from signrules.engine.evaluation import select_split

    data = load_gtsrb(dataset, size=predictor.input_size, progress=progress)
    data, _ = select_split(data, split)
    posteriors = predictor.predict(data.images)
    name = next(iter(posteriors.embeddings))
    return posteriors.embeddings[name], posteriors.descriptors.get(name), data.class_ids


def run_build(args: argparse.Namespace) -> int:
    from signrules.attributes.inference import AttributePredictor
    from signrules.attributes.weights import DEFAULT_WEIGHTS_PATH, load_attribute_net
    from signrules.engine.exemplar_sets import build_exemplar_sets, pictogram_classes
    from signrules.engine.loader import load_ruleset

    rules = args.rules or DEFAULT_RULESET
    ruleset = load_ruleset(rules, check_exemplars=False)
    classes_by_name = pictogram_classes(ruleset)

    # A Classifier cannot load while exemplars are missing, so this uses the
    # network alone.
    model, metadata = load_attribute_net(args.weights or DEFAULT_WEIGHTS_PATH)
    # float32, so that the stored centroids do not depend on the CPU.
    predictor = AttributePredictor(model, precision="float32")
    embeddings, descriptors, class_ids = _embed_dataset(predictor, args.dataset, "train",
                                                        show_progress(not args.no_progress))
    written = build_exemplar_sets(rules / "exemplars", embeddings, class_ids, classes_by_name,
                                  weights_fingerprint=metadata["weights_fingerprint"], per_class=args.per_class,
                                  descriptors=descriptors)

    print(f"wrote {len(written)} exemplar sets to {rules / 'exemplars'} "
          f"(weights {metadata['weights_fingerprint']})")
    skipped = sorted(set(classes_by_name) - set(written))
    if skipped:
        print(f"signrules exemplars: warning: no dataset images for {', '.join(skipped)}", file=sys.stderr)
        return ExitCode.PROBLEMS_FOUND
    return ExitCode.OK
