"""Benchmark of the rule engine: lint time for a large rule set and evaluation time per batch.

Run from the repository root:

    python benchmarks/bench_engine.py [--rules 1000] [--eval-rules 100] [--images 1000] [--repeats 5]

The rule sets are synthetic: every sign has its own combination of plate
attributes and digits, some use pictograms, value sets, "not" and "or", and
a few are families, so that lint does the full overlap and subsumption work.
Prints the median wall-clock and CPU time of each step over the repeats; on
a shared machine the CPU time is the steadier of the two.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np
from signrules.attributes.posteriors import Posteriors, SequencePosterior
from signrules.attributes.schema import Schema, default_schema
from signrules.engine import lint_ruleset, load_ruleset

SHAPES = ["circle", "triangle", "inverted_triangle", "octagon", "diamond", "rectangle"]
FILLS = ["white", "yellow", "orange", "red", "blue", "green", "black"]
BORDERS = ["red", "white", "black", "none"]


def write_ruleset(folder: Path, count: int, *, pictograms: int = 40) -> None:
    """Write a synthetic rule set of ``count`` signs, spread over ten files."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "ruleset.yaml").write_text("name: Benchmark\ncountry: XX\nthreshold: 0.5\n")
    definitions = [
        f"define plate_{s} as shape = {s} and strike = none" for s in SHAPES
    ]
    signs = []
    for i in range(count):
        shape = SHAPES[i % len(SHAPES)]
        fill = FILLS[(i // len(SHAPES)) % len(FILLS)]
        border = BORDERS[(i // 42) % len(BORDERS)]
        extra = ""
        if i % 5 == 1:
            extra = f" and pictogram ~ p{i % pictograms}"
        elif i % 5 == 2:
            extra = ' and (text = none or not text in {"STOP", "HALT"})'
        elif i % 5 == 3:
            extra = f" and not pictogram ~ p{(i + 7) % pictograms}"
        condition = f'plate_{shape} and fill = {fill} and border = {border} and digits = "{i}"{extra}'
        signs.append(f'sign s{i} "Sign {i}"\n    catalogue {i}\n    dataset bench {i}\n    when {condition}\n')
    # Families read digits that no single sign above uses.
    families = [
        f'sign family_{k}_{{N}} "Family {k} {{N}}"\n    when shape = {SHAPES[k]} and fill = blue and border = none'
        f" and strike = diagonal and digits = N\n    where N in {{{', '.join(str(1000 - 1 - 10 * k - j) for j in range(5))}}}\n"
        for k in range(len(SHAPES))
    ]
    (folder / "plates.signs").write_text("\n".join(definitions) + "\n")
    per_file = max(1, len(signs) // 10)
    for part in range(0, len(signs), per_file):
        (folder / f"part_{part // per_file:02d}.signs").write_text("\n".join(signs[part : part + per_file]))
    (folder / "families.signs").write_text("\n".join(families))


def random_posteriors(schema: Schema, count: int, seed: int = 0) -> Posteriors:
    rng = np.random.default_rng(seed)

    def simplex(*shape):
        values = rng.random(shape) ** 4
        return values / values.sum(axis=-1, keepdims=True)

    categorical = {n: simplex(count, len(a.values)) for n, a in schema.categorical.items()}
    strings = {
        n: SequencePosterior(a, simplex(count, a.max_length, a.num_symbols)) for n, a in schema.strings.items()
    }
    embeddings = {n: np.zeros((count, a.dim)) for n, a in schema.embeddings.items()}
    return Posteriors(schema, categorical, strings, embeddings)


def median_time(step, repeats: int) -> str:
    """Run ``step`` ``repeats`` times; return its median wall and CPU time in ms."""
    wall, cpu = [], []
    for _ in range(repeats):
        start, start_cpu = time.perf_counter(), time.process_time()
        step()
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return f"{statistics.median(wall) * 1000:.1f} ms wall, {statistics.median(cpu) * 1000:.1f} ms CPU (median of {repeats})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rules", type=int, default=1000, help="signs in the lint benchmark (default 1000)")
    parser.add_argument("--eval-rules", type=int, default=100, help="signs in the evaluation benchmark (default 100)")
    parser.add_argument("--images", type=int, default=1000, help="images per evaluated batch (default 1000)")
    parser.add_argument("--repeats", type=int, default=5, help="runs per measurement; the median is shown")
    args = parser.parse_args()

    schema = default_schema()
    print(f"python {platform.python_version()}, numpy {np.__version__}, {platform.processor() or platform.machine()}")

    with tempfile.TemporaryDirectory() as tmp:
        large = Path(tmp) / "large"
        write_ruleset(large, args.rules)
        problems = lint_ruleset(large, schema=schema, check_exemplars=False)
        timing = median_time(lambda: lint_ruleset(large, schema=schema, check_exemplars=False), args.repeats)
        print(f"lint {args.rules + 6} signs ({len(problems)} problems): {timing}")

        small = Path(tmp) / "small"
        write_ruleset(small, args.eval_rules, pictograms=20)
        timing = median_time(lambda: load_ruleset(small, schema=schema, check_exemplars=False), args.repeats)
        ruleset = load_ruleset(small, schema=schema, check_exemplars=False)
        print(f"load {len(ruleset.signs)} signs: {timing}")

        posteriors = random_posteriors(schema, args.images)
        rng = np.random.default_rng(1)
        pictogram_probs = {name: rng.random(args.images) for name in ruleset.pictogram_names}
        timing = median_time(lambda: ruleset.score(posteriors, pictogram_probs), args.repeats * 4)
        print(f"score {len(ruleset.signs)} signs x {args.images} images: {timing}")
        timing = median_time(lambda: ruleset.classify(posteriors, pictogram_probs), args.repeats * 4)
        print(f"classify with explanations, {len(ruleset.signs)} signs x {args.images} images: {timing}")


if __name__ == "__main__":
    main()
