"""``signrules lint``: exit codes, output formats, and one run as a real process."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from signrules.engine.cli import main

CLEAN = 'sign stop "Stop" when shape = octagon\n'
WARNING = 'sign round "Round" when shape = circle\nsign no_entry "No entry" when shape = circle and fill = red\n'
ERROR = 'sign stop "Stop" when shap = octagon\n'


@pytest.mark.parametrize(
    ("text", "strict", "code"),
    [
        (CLEAN, False, 0),
        (CLEAN, True, 0),
        (WARNING, False, 0),
        (WARNING, True, 1),
        (ERROR, False, 1),
    ],
)
def test_run_exit_codes(ruleset_dir, capsys, text, strict, code):
    root = ruleset_dir(text)

    assert main(["lint", str(root), *(["--strict"] if strict else [])]) == code


def test_run_text_output(ruleset_dir, capsys):
    root = ruleset_dir(ERROR)

    main(["lint", str(root)])

    out = capsys.readouterr().out.splitlines()
    assert out[0] == f'{root / "rules.signs"}:1:23: error: unknown attribute "shap"; did you mean "shape"? [unknown-attribute]'
    assert out[1:3] == ["    sign stop \"Stop\" when shap = octagon", " " * 26 + "^"]
    assert out[-1] == "1 error, 0 warnings in 1 rule set"


def test_run_json_output(ruleset_dir, capsys):
    root = ruleset_dir(WARNING)

    main(["lint", "--format", "json", str(root)])

    document = json.loads(capsys.readouterr().out)
    assert (document["errors"], document["warnings"]) == (0, 1)
    assert document["problems"][0]["code"] == "unreachable-rule"


def test_run_github_output(ruleset_dir, capsys):
    root = ruleset_dir(ERROR)

    main(["lint", "--format", "github", str(root)])

    assert capsys.readouterr().out == (
        f'::error file={root / "rules.signs"},line=1,col=23::'
        'unknown attribute "shap"; did you mean "shape"? [unknown-attribute]\n'
    )


def test_run_missing_path(tmp_path, capsys):
    code = main(["lint", str(tmp_path / "nowhere")])

    captured = capsys.readouterr()
    assert code == 2
    assert captured.out == ""
    assert captured.err == f"signrules lint: error: {tmp_path / 'nowhere'}: no such file or folder\n"


def test_run_folder_without_rules(tmp_path, capsys):
    code = main(["lint", str(tmp_path)])

    assert code == 2
    assert "no rule sets" in capsys.readouterr().err


def test_run_not_a_rule_file(tmp_path, capsys):
    (tmp_path / "notes.txt").write_text("hello")

    assert main(["lint", str(tmp_path / "notes.txt")]) == 2
    assert "not a rule file" in capsys.readouterr().err


def test_run_file_reports_only_that_file(ruleset_dir, capsys):
    root = ruleset_dir(CLEAN, files={"other.signs": ERROR.replace("stop", "halt")})

    code = main(["lint", str(root / "rules.signs")])

    assert code == 0
    assert capsys.readouterr().out == "no problems in 1 rule set\n"


def test_run_finds_every_ruleset(ruleset_dir, tmp_path, capsys):
    ruleset_dir(ERROR)
    second = tmp_path / "at"
    second.mkdir()
    (second / "ruleset.yaml").write_text("name: Austria\ncountry: AT\n")
    (second / "a.signs").write_text(CLEAN)

    main(["lint", "--format", "json", str(tmp_path)])

    document = json.loads(capsys.readouterr().out)
    assert sorted(document["rulesets"]) == sorted([str(tmp_path / "set"), str(second)])
    assert document["errors"] == 1


def test_run_as_subprocess(ruleset_dir):
    root = ruleset_dir(ERROR)

    result = subprocess.run(
        [sys.executable, "-m", "signrules.engine.cli", "lint", "--format", "github", str(root)],
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert (result.returncode, result.stderr) == (1, "")
    assert result.stdout.startswith("::error file=")


def _copy_of_ruleset(folder, text=ERROR):
    folder.mkdir(parents=True)
    (folder / "ruleset.yaml").write_text("name: Copy\ncountry: DE\n")
    (folder / "rules.signs").write_text(text)


@pytest.mark.parametrize(
    "copy",
    [
        ".venv/lib/python3.11/site-packages/signrules/rules/de",
        "venv/lib/rules/de",
        ".tox/py311/rules/de",
        "build/lib/signrules/rules/de",
        "dist/signrules/rules/de",
        "site-packages/rules/de",
        "__pycache__/rules/de",
        "signrules.egg-info/rules/de",
    ],
)
def test_run_default_path_skips_copies(ruleset_dir, tmp_path, monkeypatch, capsys, copy):
    # Installed packages and build output hold copies of the rule sets, which must not be linted twice.
    ruleset_dir(CLEAN)
    _copy_of_ruleset(tmp_path / copy)
    (tmp_path / "venv" / "pyvenv.cfg").parent.mkdir(exist_ok=True)
    (tmp_path / "venv" / "pyvenv.cfg").write_text("home = /usr/bin\n")
    monkeypatch.chdir(tmp_path)

    code = main(["lint"])

    assert code == 0
    assert capsys.readouterr().out == "no problems in 1 rule set\n"


def test_run_skips_orphan_files_in_copies(ruleset_dir, tmp_path, capsys):
    ruleset_dir(CLEAN)
    (tmp_path / "build").mkdir()
    (tmp_path / "build" / "stray.signs").write_text(CLEAN)

    assert main(["lint", str(tmp_path)]) == 0
    assert capsys.readouterr().out == "no problems in 1 rule set\n"


@pytest.mark.parametrize(("copy", "given"), [("build/rules/de", "build"), (".venv/lib/site-packages/rules/de", ".venv")])
def test_run_named_skipped_folder_is_searched(tmp_path, monkeypatch, capsys, copy, given):
    _copy_of_ruleset(tmp_path / copy)
    (tmp_path / ".venv").mkdir(exist_ok=True)
    (tmp_path / ".venv" / "pyvenv.cfg").write_text("home = /usr/bin\n")
    monkeypatch.chdir(tmp_path)

    code = main(["lint", given])

    assert code == 1
    assert capsys.readouterr().out.splitlines()[-1] == "1 error, 0 warnings in 1 rule set"


def test_run_only_skipped_folders_hint(tmp_path, capsys):
    _copy_of_ruleset(tmp_path / "build" / "de")

    code = main(["lint", str(tmp_path)])

    assert code == 2
    assert "searched only when named" in capsys.readouterr().err
