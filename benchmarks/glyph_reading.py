"""How often the glyph reader alone reads a speed limit's number, given its length.

Run from the repository root:

    signrules train-glyphs --exclude-classes 3,7 --output runs/glyphs-without-3-7/glyphs.pt
    python benchmarks/glyph_reading.py runs/glyphs-without-3-7/glyphs.pt \\
        ../shared/data/gtsrb/Final_Training --held-out 3,7

The reader (``signrules train-glyphs``) gets the true number of digits, so
the figures measure finding the legend and naming its digits, apart from
the attribute network that gives the length in use. For each class it
prints how often the legend is found, how often the number is read exactly
where it is found, and over all images, then how often it is read exactly
by the size the sign was photographed at.

``--held-out`` names classes the reader was trained without
(``train-glyphs --exclude-classes``): all their images count. The other
number classes count on the validation split only, because the reader
learned from the printed digits of their training tracks. The dataset may
be either GTSRB layout; a test folder has no tracks, so all of its images
count. ``--json`` writes the figures as one JSON object.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

import numpy as np
from signrules.attributes.errors import SignrulesError
from signrules.attributes.glyphs import GlyphReader
from signrules.attributes.glyphs.real import number_classes
from signrules.attributes.gtsrb import load_gtsrb, split_by_track
from signrules.attributes.schema import default_schema
from signrules.engine.evaluation import SizeResult, size_bins, size_breakdown

sys.path.insert(0, str(Path(__file__).resolve().parent))
from heldout_reading import class_list

COLUMNS = """columns: found = share of images whose legend the reader found; exact|found = share of
those read exactly; exact = share of all images read exactly. Classes not named by --held-out count their
validation tracks only, because the reader learned from the printed digits of their training tracks. A
second table gives "exact" by the sign's size: the mean side of the CSV's sign box in pixels of the photo
it was annotated on, each bin including its lower edge, with the number of images in brackets."""


def non_negative_count(text: str) -> int:
    """Parse a count of at least 0."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid count {text!r}: expected a whole number") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"invalid count {value}: expected 0 or more")
    return value


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], epilog=COLUMNS)
    parser.add_argument("weights", type=Path, help="glyph-reader weights (.pt)")
    parser.add_argument("data", type=Path, help="GTSRB folder in either official layout")
    parser.add_argument("--held-out", type=class_list, default=[],
                        help="comma-separated class ids the reader never saw; all their images count")
    parser.add_argument("--top", type=non_negative_count, default=3,
                        help="most common readings to show per class (default 3)")
    parser.add_argument("--json", action="store_true", help="write the figures as JSON")
    return parser.parse_args(argv)


def read_class(reader: GlyphReader, images: np.ndarray, number: str, top: int) -> tuple[dict, np.ndarray]:
    """Read ``images`` of one class as ``number``-long legends; return its figures and which were read exactly."""
    reading = reader.read(images, [len(number)] * len(images))
    strings = reading.strings()
    found = reading.found
    exact = np.array([s == number for s in strings], dtype=bool)
    figures = {
        "number": number,
        "images": len(images),
        "found": float(found.mean()) if len(images) else 0.0,
        "exact_where_found": float(exact[found].mean()) if found.any() else 0.0,
        "exact": float(exact.mean()) if len(images) else 0.0,
        "readings": Counter(s for s, f in zip(strings, found) if f).most_common(top),
    }
    return figures, exact


def by_size(sizes: np.ndarray, exact: np.ndarray) -> list[dict]:
    """Return the share read exactly per bin of sign size, with the bin edges of ``signrules eval``'s JSON."""
    rows = []
    for size_bin in size_breakdown(sizes, exact, np.zeros(len(sizes), dtype=bool)):
        edges = size_bin.to_dict()
        rows.append({"side_from_px": edges["side_from_px"], "side_to_px": edges["side_to_px"],
                     "images": size_bin.images, "exact": size_bin.accuracy})
    return rows


def without_numbers(program: str, classes: list[int], numbers: dict[int, str]) -> bool:
    """Print an error and return True if any of ``classes`` shows no number."""
    unknown = [c for c in classes if c not in numbers]
    if unknown:
        print(f"{program}: error: classes {unknown} show no number; number classes are {sorted(numbers)}",
              file=sys.stderr)
    return bool(unknown)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    numbers = number_classes()
    if without_numbers("glyph_reading", args.held_out, numbers):
        return 2
    try:
        reader = GlyphReader.load(args.weights, default_schema().strings["digits"], precision="float32")
        data = load_gtsrb(args.data, classes=sorted(numbers))
    except (SignrulesError, OSError) as exc:
        print(f"glyph_reading: error: {exc}", file=sys.stderr)
        return 1

    # A class the reader learned from is not held out, even when --held-out names it.
    trained_on = sorted(set(args.held_out) - set(reader.metadata.get("exclude_classes", [])))
    if trained_on:
        print(f"glyph_reading: warning: {args.weights} was trained on classes {trained_on} "
              "(they were not in its train-glyphs --exclude-classes), so their rows do not measure held-out reading",
              file=sys.stderr)

    # Seen classes count on validation tracks only; a test folder has no tracks.
    has_tracks = bool((data.track_ids >= 0).all())
    seen_index = split_by_track(data)[1] if has_tracks else np.arange(len(data))
    # For held-out and for seen classes: which images were read exactly, and their sign sizes.
    outcomes = {True: [], False: []}
    rows = []
    for class_id, number in sorted(numbers.items()):
        held_out = class_id in args.held_out
        index = np.flatnonzero(data.class_ids == class_id) if held_out else \
            seen_index[data.class_ids[seen_index] == class_id]
        if not len(index):
            continue
        figures, exact = read_class(reader, data.images[index], number, args.top)
        sizes = data.sign_sizes[index]
        outcomes[held_out].append((exact, sizes))
        rows.append({"class_id": class_id, "held_out": held_out, **figures, "by_size": by_size(sizes, exact)})

    report = {"weights": str(args.weights), "dataset": str(args.data), "classes": rows}
    for name, held_out in (("held_out", True), ("seen", False)):
        side = outcomes[held_out]
        report[name] = total(row for row in rows if row["held_out"] == held_out)
        report[name]["by_size"] = by_size(np.concatenate([sizes for _, sizes in side]),
                                          np.concatenate([exact for exact, _ in side])) if side else []
    if args.json:
        print(json.dumps(report))
        return 0
    print(f"{'class':>5} {'number':>6} {'held out':>8} {'images':>6} {'found':>7} {'exact|found':>11} {'exact':>7}  readings")
    for row in rows:
        readings = ", ".join(f'"{s}" {n}' for s, n in row["readings"])
        print(f"{row['class_id']:>5} {row['number']:>6} {'yes' if row['held_out'] else 'no':>8} {row['images']:>6} "
              f"{row['found']:>7.1%} {row['exact_where_found']:>11.1%} {row['exact']:>7.1%}  {readings}")
    summaries = [(name, report["held_out" if held_out else "seen"]) for name, held_out in
                 (("held out", True), ("seen", False))]
    for name, summary in summaries:
        if summary["images"]:
            print(f"{'all':>5} {'':>6} {name:>8} {summary['images']:>6} {summary['found']:>7.1%} "
                  f"{summary['exact_where_found']:>11.1%} {summary['exact']:>7.1%}")

    print("\nexact by sign size (mean side of the CSV's sign box in the photo; images in brackets)")
    # Fixed columns, one per bin, so that a bin without images leaves a gap.
    bins = size_bins()
    labels = [SizeResult(low, high, 0, 0, 0).label for low, high in bins]
    print(f"{'class':>5} {'number':>6} {'held out':>8}  " + "".join(f"{label:>18}" for label in labels))
    lines = [(str(row["class_id"]), row["number"], "yes" if row["held_out"] else "no", row["by_size"]) for row in rows]
    lines += [("all", "", name, summary["by_size"]) for name, summary in summaries if summary["images"]]
    for class_id, number, held_out, line_bins in lines:
        cells = {entry["side_from_px"]: f"{entry['exact']:.1%} ({entry['images']})" for entry in line_bins}
        print(f"{class_id:>5} {number:>6} {held_out:>8}  "
              + "".join(f"{cells.get(low, '-'):>18}" for low, _ in bins))
    return 0


def total(rows) -> dict:
    """Pool the figures of several classes, weighting each by its images."""
    rows = list(rows)
    images = sum(row["images"] for row in rows)
    found = sum(row["found"] * row["images"] for row in rows)
    exact = sum(row["exact"] * row["images"] for row in rows)
    return {"images": images, "found": found / images if images else 0.0,
            "exact_where_found": exact / found if found else 0.0, "exact": exact / images if images else 0.0}


if __name__ == "__main__":
    sys.exit(main())
