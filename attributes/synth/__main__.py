"""Render a grid of synthetic signs to a PNG file, to look at them.

    python -m signrules.attributes.synth --out grid.png --count 100 --size 32
    python -m signrules.attributes.synth --out stop.png --template stop \\
        --gtsrb ../shared/data/gtsrb/Final_Training/Images

With ``--gtsrb`` the grid gets a montage of as many real GTSRB crops beside
it, for comparison at the same scale.
"""

from __future__ import annotations

import argparse
import random
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from PIL import Image
from signrules.attributes.schema import default_schema
from signrules.attributes.synth.render import render_sign
from signrules.attributes.synth.sampling import TEMPLATE_NAMES, sample_spec, sample_template

# Columns of the grid, and the gap in pixels between the two montages.
_COLUMNS = 10
_GAP = 16


def _montage(tiles: Sequence[np.ndarray], tile_size: int) -> Image.Image:
    rows = -(-len(tiles) // _COLUMNS)
    sheet = Image.new("RGB", (_COLUMNS * tile_size, rows * tile_size), (255, 255, 255))
    for index, tile in enumerate(tiles):
        image = Image.fromarray(tile).resize((tile_size, tile_size), Image.Resampling.NEAREST)
        sheet.paste(image, ((index % _COLUMNS) * tile_size, (index // _COLUMNS) * tile_size))
    return sheet


def _real_crops(folder: Path, count: int, size: int, seed: int) -> list[np.ndarray]:
    paths = sorted(folder.glob("*/*.ppm"))
    if not paths:
        raise SystemExit(f"error: no GTSRB images (*/*.ppm) found under {folder}")
    chosen = random.Random(seed).sample(paths, min(count, len(paths)))
    return [
        np.asarray(Image.open(path).convert("RGB").resize((size, size), Image.Resampling.BILINEAR))
        for path in chosen
    ]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m signrules.attributes.synth", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--out", type=Path, required=True, help="PNG file to write")
    parser.add_argument("--count", type=int, default=100, help="number of signs (default 100)")
    parser.add_argument(
        "--size", type=int, default=32, help="rendered image size in pixels (default 32)"
    )
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument(
        "--template", choices=TEMPLATE_NAMES, help="draw every sign from this template"
    )
    parser.add_argument(
        "--zoom", type=int, default=0, help="tile size in the PNG (default: about 96 pixels)"
    )
    parser.add_argument(
        "--gtsrb", type=Path, help="GTSRB Images folder: add a montage of real crops"
    )
    args = parser.parse_args(argv)

    schema = default_schema()
    tiles = []
    for index in range(args.count):
        rng = np.random.default_rng([args.seed, index])
        spec = sample_template(rng, args.template) if args.template else sample_spec(rng, schema)
        tiles.append(render_sign(rng, spec, size=args.size)[0])

    tile_size = args.zoom or max(args.size, 96 // args.size * args.size)
    sheet = _montage(tiles, tile_size)
    if args.gtsrb:
        real = _montage(_real_crops(args.gtsrb, args.count, args.size, args.seed), tile_size)
        combined = Image.new(
            "RGB",
            (sheet.width + _GAP + real.width, max(sheet.height, real.height)),
            (255, 255, 255),
        )
        combined.paste(sheet, (0, 0))
        combined.paste(real, (sheet.width + _GAP, 0))
        sheet = combined
    sheet.save(args.out)
    print(f"wrote {args.out} ({args.count} signs at {args.size} px)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
