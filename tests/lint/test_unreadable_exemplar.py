"""unreadable-exemplar: files in an exemplar folder that cannot be read."""

import numpy as np
import pytest
from signrules.engine.lint import lint_ruleset

TEXT = 'sign snow "Ice or snow" when shape = triangle and pictogram ~ snow'


def test_corrupt_image(ruleset_dir):
    root = ruleset_dir(TEXT, exemplars=["snow"])
    (root / "exemplars" / "snow" / "flake.png").write_text("not an image")

    (problem,) = lint_ruleset(root)

    assert (problem.code, problem.line, problem.column) == ("unreadable-exemplar", 1, TEXT.index("~ snow") + 3)
    assert "flake.png: not a readable image" in problem.message


@pytest.mark.parametrize(
    ("arrays", "reason"),
    [
        ({"vectors": np.ones((2, 64))}, 'no array "embeddings" in the archive (found: vectors)'),
        ({"embeddings": np.ones((2, 32))}, "embeddings have shape (2, 32), expected (N, 64) with N >= 1"),
        ({"embeddings": np.ones((0, 64))}, "embeddings have shape (0, 64), expected (N, 64) with N >= 1"),
        ({"embeddings": np.ones((2, 64), dtype=np.int64)}, "embeddings have dtype int64, expected a float type"),
        ({"embeddings": np.full((2, 64), np.nan)}, "embeddings contain NaN or infinite values"),
    ],
)
def test_invalid_embeddings(ruleset_dir, arrays, reason):
    root = ruleset_dir(TEXT, exemplars=["snow"])
    np.savez(root / "exemplars" / "snow" / "embeddings.npz", **arrays)

    (problem,) = lint_ruleset(root)

    assert problem.code == "unreadable-exemplar"
    assert problem.message.endswith(f"embeddings.npz: {reason}")


def test_npz_that_is_not_a_zip(ruleset_dir):
    root = ruleset_dir(TEXT, exemplars=["snow"])
    (root / "exemplars" / "snow" / "embeddings.npz").write_bytes(b"garbage")

    (problem,) = lint_ruleset(root)

    assert "not a readable numpy archive" in problem.message


def test_readable_files_pass(ruleset_dir):
    root = ruleset_dir(TEXT, exemplars=["snow"])
    np.savez(root / "exemplars" / "snow" / "embeddings.npz", embeddings=np.ones((2, 64)))

    assert lint_ruleset(root) == []
