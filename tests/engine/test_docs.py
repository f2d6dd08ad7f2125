"""docs/rules.md: its examples parse, every lint code is documented, the worked example holds."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
from signrules.attributes.posteriors import Posteriors, SequencePosterior
from signrules.engine import load_ruleset
from signrules.engine.lint.checks import ALL_CHECKS
from signrules.engine.parser import parse_rules

DOC = Path(__file__).resolve().parents[2] / "docs" / "rules.md"
TEXT = DOC.read_text(encoding="utf-8")
SIGNS_BLOCKS = re.findall(r"```signs\n(.*?)```", TEXT, re.DOTALL)


@pytest.mark.parametrize("block", SIGNS_BLOCKS)
def test_examples_parse(block):
    assert parse_rules(block).problems == ()


@pytest.mark.parametrize("module", ALL_CHECKS, ids=lambda m: m.ID)
def test_every_code_documented(module):
    assert f"#### {module.ID} ({module.SEVERITY.value})" in TEXT


def test_worked_example(write_ruleset, schema):
    # The numbers of "A worked example" in docs/rules.md.
    block = next(b for b in SIGNS_BLOCKS if "where N from 5 to 130 step 5" in b and "strike = none" in b)
    family = "\n".join(line for line in block.splitlines() if "catalogue" not in line and "dataset" not in line and "if N" not in line)
    rules = load_ruleset(write_ruleset({"speed.signs": family}))

    def vector(attribute, **probs):
        values = schema.categorical[attribute].values
        return np.array([[probs.get(v, 0.0) for v in values]])

    def image(border_red: float) -> Posteriors:
        digits = schema.strings["digits"]
        read = np.zeros((1, 3, digits.num_symbols))
        read[0, 0, [5, 6, digits.end_index]] = [0.80, 0.15, 0.05]
        read[0, 1, 0] = 1.0
        read[0, 2, digits.end_index] = 1.0
        text = np.zeros((1, 6, schema.strings["text"].num_symbols))
        text[..., -1] = 1.0
        return Posteriors(
            schema,
            {
                "shape": vector("shape", circle=0.95, octagon=0.05),
                "fill": vector("fill", white=0.90, yellow=0.10),
                "border": vector("border", red=border_red, black=1 - border_red),
                "strike": vector("strike", none=0.98, diagonal=0.02),
            },
            {"digits": SequencePosterior(digits, read), "text": SequencePosterior(schema.strings["text"], text)},
            {"pictogram": np.zeros((1, 64))},
        )

    clear, unclear = rules.classify(image(0.90), {})[0], rules.classify(image(0.55), {})[0]

    assert (clear.label, round(clear.score, 3)) == ("speed_limit_50", 0.603)
    assert [round(e.probability, 2) for e in clear.evidence] == [0.95, 0.90, 0.90, 0.98, 0.80]
    assert (unclear.label, round(unclear.score, 3)) == ("unknown", 0.369)
    assert "= 0.95 × 0.90 × 0.90 × 0.98 × 0.80 = 0.603" in TEXT
    assert "0.95 × 0.90 × 0.55 × 0.98 × 0.80 = 0.369" in TEXT
