"""missing-exemplar: pictogram tests need an exemplar folder with usable files."""

import numpy as np

TEXT = 'sign wild_animals "Wild animals" when shape = triangle and pictogram ~ wild_animals'


def test_missing_folder(lint, ruleset_dir):
    problems = lint(TEXT, "missing-exemplar")

    ((_, line, column, message),) = problems
    assert (line, column) == (1, 72)
    assert message.startswith('missing exemplar "wild_animals": create ')
    assert message.endswith("exemplars/wild_animals/ with images or an embeddings.npz")


def test_suggests_existing_folder(lint):
    ((*_, message),) = lint(TEXT, "missing-exemplar", exemplars=["wild_animal"])

    assert message.endswith('exemplars/wild_animals/; did you mean "wild_animal"?')


def test_empty_folder(lint, ruleset_dir):
    root = ruleset_dir(TEXT)
    (root / "exemplars" / "wild_animals").mkdir(parents=True)
    (root / "exemplars" / "wild_animals" / "notes.txt").write_text("deer pictures go here")

    from signrules.engine.lint import lint_ruleset

    (problem,) = [p for p in lint_ruleset(root) if p.code == "missing-exemplar"]
    assert "holds no image (png, jpg, jpeg, ppm, bmp, webp) and no embeddings.npz" in problem.message


def test_image_or_embeddings_suffice(lint, ruleset_dir):
    assert lint(TEXT, "missing-exemplar", exemplars=["wild_animals"]) == []

    root = ruleset_dir(TEXT)
    folder = root / "exemplars" / "wild_animals"
    (folder / "example.png").unlink()
    np.savez(folder / "embeddings.npz", embeddings=np.ones((3, 64), dtype=np.float32))

    from signrules.engine.lint import lint_ruleset

    assert [p for p in lint_ruleset(root) if p.code.endswith("exemplar")] == []
