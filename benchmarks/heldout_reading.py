"""How often an attribute network reads the digits and text of classes it never saw.

Run from the repository root, with weights trained with those classes
excluded (``signrules train --exclude-classes 3,7,14``):

    python benchmarks/heldout_reading.py runs/add-sign/heldout6/attributes.pt \\
        ../shared/data/gtsrb/Final_Training --classes 3,7,14

For each class, prints the share of its images whose digits and text heads
read the class's own string exactly (for example "60" and no text), and
the most common readings, so that a miss shows what was read instead. The
dataset may be either GTSRB layout. Every image of the classes counts,
because the network never saw any of them, so there is no split to respect.
``--json`` writes the figures as one JSON object.

For classes that show digits, it also draws the same number into real
crops of speed limits the network did see (``swap_digits``, the way training
makes its digit swaps) and reports how often those are read. Reading the
drawn number but not the real one points at a gap between rendered and
printed digits. Missing both points at a network that recognises plates
instead of reading them. The class's own crops with their number erased
and drawn again compare printed and drawn digits on the same plates.
``--numbers 40,90`` does the same for numbers
that no class shows. ``--synthetic 800`` reads the digits of the first 800
synthetic signs with digits in the training pool (100,000 signs, seed 0),
which shows whether the head fits its own training data.

``--glyph-reader runs/glyphs/glyphs.pt`` also reads every number digit by
digit with a glyph reader (``signrules train-glyphs``), taking the number
of digits from the network, and reports its exact reads beside the
network's. Where it does not find the legend, the network's reading counts.
It also reports the digits read by the two pooled, as ``--glyphs`` pools
them (``AttributePredictor``), without the network's softmax temperatures.
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
from signrules.attributes.gtsrb import attribute_records, load_gtsrb
from signrules.attributes.schema import default_schema
from signrules.attributes.inference import AttributePredictor
from signrules.attributes.synth.dataset import render_dataset
from signrules.attributes.synth.digit_swap import draw_number, erase_legend, swap_digits
from signrules.attributes.weights import load_attribute_net

STRING_HEADS = ("digits", "text")


def class_list(text: str) -> list[int]:
    """Parse comma-separated GTSRB class ids; an empty string gives none."""
    try:
        return [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid class list {text!r}: expected ids such as 3,7,14") from None


def get_args_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("weights", type=Path, help="attribute-network weights (.pt)")
    parser.add_argument("data", type=Path, help="GTSRB folder in either official layout")
    parser.add_argument("--classes", type=class_list, default=[3, 7, 14], help="comma-separated GTSRB class ids (default 3,7,14)")
    parser.add_argument("--top", type=int, default=3, help="most common readings to show per class (default 3)")
    parser.add_argument("--swaps", type=int, default=300,
                        help="crops of seen speed limits to draw each class's number into (default 300, 0 skips)")
    parser.add_argument("--numbers", default="",
                        help="also draw these comma-separated numbers into seen speed-limit crops and report "
                             "how often each is read (for numbers no GTSRB class shows, such as 40)")
    parser.add_argument("--synthetic", type=int, default=0,
                        help="read this many synthetic training signs with digits (default 0: skip)")
    parser.add_argument("--glyph-reader", type=Path, default=None,
                        help="also read numbers digit by digit with these glyph-network weights")
    parser.add_argument("--json", action="store_true", help="write the figures as JSON")
    return parser


def glyph_readings(glyphs: GlyphReader, images: np.ndarray, network: list[str]) -> tuple[list[str], np.ndarray]:
    """Return the glyph reader's numbers, with the network's lengths and its reading where no legend is found.

    Also returns which images had their legend found.
    """
    reading = glyphs.read(images, [len(number) for number in network])
    numbers = [glyph if found else own for glyph, own, found in zip(reading.strings(), network, reading.found)]
    return numbers, reading.found


def read_numbers(predictor, glyphs: GlyphReader | None, images: np.ndarray) -> tuple[list[str], list[str] | None]:
    """Return the network's digit readings and, with a glyph reader, that reader's (see ``glyph_readings``)."""
    network = predictor.predict(images).strings["digits"].decode()
    if glyphs is None:
        return network, None
    return network, glyph_readings(glyphs, images, network)[0]


def _share(readings: list[str] | None, number: str) -> float | None:
    return None if readings is None else sum(r == number for r in readings) / len(readings)


def read_swapped(predictor, data, excluded: set[int], number: str, count: int,
                 glyphs: GlyphReader | None = None) -> dict | None:
    """Return the share of ``count`` seen speed-limit crops, with ``number`` drawn in, read as ``number``.

    The figures are the network's (``network``) and the glyph reader's (``glyphs``, None without one).
    """
    records = attribute_records(data.class_ids)
    plates = [i for i, r in enumerate(records)
              if r["digits"] and r["strike"] == "none" and int(data.class_ids[i]) not in excluded]
    rng = np.random.default_rng(0)
    images = []
    for index in rng.permutation(plates):
        swapped = swap_digits(data.images[index], str(records[index]["digits"]), rng, number)
        if swapped is not None:
            images.append(swapped[0])
        if len(images) == count:
            break
    if not images:
        return None
    network, glyph = read_numbers(predictor, glyphs, np.stack(images))
    return {"network": _share(network, number), "glyphs": _share(glyph, number)}


def read_redrawn(predictor, images: np.ndarray, number: str, count: int) -> dict | None:
    """Read up to ``count`` of a class's own crops with ``number`` erased and drawn again, and as printed.

    The plate, the lighting and the number stay the same, and only the
    digits change from printed to drawn. A network that reads the drawn
    number much more often than the printed one still distinguishes the two.
    """
    rng = np.random.default_rng(0)
    printed, redrawn = [], []
    for index in rng.permutation(len(images)):
        plate = erase_legend(images[index], number)
        if plate is None:
            continue
        printed.append(images[index])
        redrawn.append(draw_number(plate, rng, number)[0])
        if len(redrawn) == count:
            break
    if not redrawn:
        return None

    def share(batch: list[np.ndarray]) -> float:
        read = predictor.predict(np.stack(batch)).strings["digits"].decode()
        return sum(r == number for r in read) / len(read)

    return {"crops": len(redrawn), "redrawn_exact": share(redrawn), "printed_exact": share(printed)}


def read_synthetic(predictor, count: int) -> dict[str, float]:
    """Return the exact-read share of ``count`` synthetic digit signs, overall and per number length."""
    # The training pool's defaults: 100,000 signs with seed 0, read from the cache.
    pool = render_dataset(100_000, seed=0, size=predictor.input_size, progress=sys.stderr.isatty())
    chosen = [i for i, r in enumerate(pool.records) if r.get("digits")][:count]
    expected = [str(pool.records[i]["digits"]) for i in chosen]
    read = predictor.predict(pool.images[chosen]).strings["digits"].decode()
    right = np.array([r == e for r, e in zip(read, expected)])
    lengths = np.array([len(e) for e in expected])
    shares = {"all": float(right.mean())}
    for length in sorted(set(lengths.tolist())):
        shares[f"{length}-digit"] = float(right[lengths == length].mean())
    return shares


def reading_figures(weights: Path, data_dir: Path, classes: list[int], top: int, swaps: int,
                    numbers: list[str] = (), synthetic: int = 0, glyph_weights: Path | None = None) -> dict:
    """Return, per class, the exact-read share and the most common (digits, text) readings."""
    model, metadata = load_attribute_net(weights)
    excluded = set(metadata.get("excluded_classes") or [])
    unseen = [c for c in classes if c not in excluded]
    if unseen:
        print(f"warning: {weights} was trained on classes {unseen}; their figures are not zero-shot",
              file=sys.stderr)

    # float32, as the figures in docs/benchmarks.md were measured, on any CPU.
    predictor = AttributePredictor(model, precision="float32")
    glyphs = pooled = None
    if glyph_weights is not None:
        glyphs = GlyphReader.load(glyph_weights, default_schema().strings["digits"], precision="float32")
        pooled = AttributePredictor(model, glyph_reader=glyphs, precision="float32")
        left_out = set(glyphs.metadata.get("exclude_classes") or [])
        printed = [c for c in classes if c not in left_out and attribute_records(np.array([c]))[0]["digits"]]
        if printed:
            print(f"warning: {glyph_weights} was trained on the printed digits of classes {printed}",
                  file=sys.stderr)
    data = load_gtsrb(data_dir, size=predictor.input_size)
    figures = {"weights": str(weights), "dataset": str(data_dir), "classes": {}}
    for class_id in classes:
        members = np.flatnonzero(data.class_ids == class_id)
        if not len(members):
            print(f"warning: no images of class {class_id} in {data_dir}", file=sys.stderr)
            continue

        # The expected strings come from the attribute table, "" meaning none.
        expected = attribute_records(np.array([class_id]))[0]
        target = tuple(expected[head] or "" for head in STRING_HEADS)
        posteriors = predictor.predict(data.images[members])
        readings = list(zip(*(posteriors.strings[head].decode() for head in STRING_HEADS)))
        exact = sum(reading == target for reading in readings)
        figures["classes"][str(class_id)] = {
            "expected": dict(zip(STRING_HEADS, target)),
            "images": len(members),
            "exact": exact / len(members),
            "readings": [{"digits": d, "text": t, "count": n} for (d, t), n in Counter(readings).most_common(top)],
        }
        if glyphs is not None and target[0]:
            glyph_numbers, found = glyph_readings(glyphs, data.images[members], [reading[0] for reading in readings])
            combined = [(number, text) for number, (_, text) in zip(glyph_numbers, readings)]
            pooled_numbers = pooled.predict(data.images[members]).strings["digits"].decode()
            figures["classes"][str(class_id)]["glyphs"] = {
                "legend_found": float(found.mean()),
                "exact": sum(reading == target for reading in combined) / len(members),
                "pooled_exact": sum(number == target[0] for number in pooled_numbers) / len(members),
                "readings": [{"digits": d, "text": t, "count": n} for (d, t), n in Counter(combined).most_common(top)],
            }
        if swaps and target[0]:
            figures["classes"][str(class_id)]["swapped_exact"] = read_swapped(
                predictor, data, excluded, target[0], swaps, glyphs)
            figures["classes"][str(class_id)]["redrawn"] = read_redrawn(
                predictor, data.images[members], target[0], swaps)

    if synthetic:
        figures["synthetic"] = read_synthetic(predictor, synthetic)
    count = swaps or 300
    figures["drawn_numbers"] = {n: read_swapped(predictor, data, excluded, n, count, glyphs) for n in numbers}
    return figures


def _shares(shares: dict) -> str:
    text = f"{shares['network']:.1%} read exactly"
    return text if shares["glyphs"] is None else f"{text} (glyph reader {shares['glyphs']:.1%})"


def main(argv: list[str] | None = None) -> int:
    args = get_args_parser().parse_args(argv)
    numbers = [n.strip() for n in args.numbers.split(",") if n.strip()]
    invalid = [n for n in numbers if not (n.isdigit() and len(n) <= 3)]
    if invalid:
        print(f"error: invalid --numbers {', '.join(invalid)}: expected 1 to 3 digits each", file=sys.stderr)
        return 2
    try:
        figures = reading_figures(args.weights, args.data, args.classes, args.top, args.swaps, numbers,
                                  args.synthetic, args.glyph_reader)
    except SignrulesError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(figures, indent=2))
        return 0

    for class_id, entry in figures["classes"].items():
        expected = " ".join(f'{head} "{value}"' for head, value in entry["expected"].items())
        print(f"class {class_id:>2} ({expected}): {entry['exact']:.1%} exact of {entry['images']} images")
        for reading in entry["readings"]:
            print(f'    digits "{reading["digits"]}" text "{reading["text"]}": {reading["count"]}')
        if "glyphs" in entry:
            glyph_entry = entry["glyphs"]
            print(f"    glyph reader: {glyph_entry['exact']:.1%} exact (legend found in "
                  f"{glyph_entry['legend_found']:.1%}); pooled with the network as --glyphs does: "
                  f"{glyph_entry['pooled_exact']:.1%} digits exact")
            for reading in glyph_entry["readings"]:
                print(f'        digits "{reading["digits"]}" text "{reading["text"]}": {reading["count"]}')
        if entry.get("swapped_exact") is not None:
            print(f'    "{entry["expected"]["digits"]}" drawn into seen speed-limit crops: '
                  f'{_shares(entry["swapped_exact"])}')
        if entry.get("redrawn") is not None:
            redrawn = entry["redrawn"]
            print(f'    "{entry["expected"]["digits"]}" erased and drawn again in {redrawn["crops"]} of its own '
                  f'crops: {redrawn["redrawn_exact"]:.1%} read exactly (as printed: {redrawn["printed_exact"]:.1%})')
    for number, share in figures["drawn_numbers"].items():
        if share is not None:
            print(f'"{number}" drawn into seen speed-limit crops: {_shares(share)}')
    for group, share in figures.get("synthetic", {}).items():
        print(f"synthetic training signs, {group}: {share:.1%} read exactly")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
