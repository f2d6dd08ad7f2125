"""complex-condition: conditions beyond the exact evaluator's grid size."""

from signrules.engine.compiler import MAX_GRID_SIZE


def _many_pictograms(count: int) -> str:
    tests = " or ".join(f"pictogram ~ p{i}" for i in range(count))
    return f'sign busy "Busy" when {tests}'


def test_too_many_pictogram_tests(lint):
    problems = lint(_many_pictograms(17), "complex-condition")

    assert problems == [(
        "complex-condition", 1, 6,
        f'condition of "busy" is too complex to score exactly (131,072 > {MAX_GRID_SIZE:,} combinations); split it into several signs',
    )]


def test_sixteen_pictogram_tests_fit(lint):
    assert lint(_many_pictograms(16), "complex-condition") == []
