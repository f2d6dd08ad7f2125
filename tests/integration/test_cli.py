"""Command line: classify, eval, bench and exemplars on real images."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import numpy as np
import pytest
from signrules.attributes.gtsrb import load_gtsrb, split_by_track
from signrules.attributes.weights import load_attribute_net, save_attribute_net
from signrules.engine.cli import main
from signrules.engine.cli.exit_codes import ExitCode

HEADER = "Filename;Width;Height;Roi.X1;Roi.Y1;Roi.X2;Roi.Y2;ClassId"


@pytest.fixture
def image_folder(tmp_path, validation_sample):
    """A folder with seven real sign images and one corrupt file."""
    folder = tmp_path / "images"
    folder.mkdir()
    paths, class_ids = validation_sample
    for class_id in (14, 2, 31, 38, 12, 17, 41):
        path = paths[list(class_ids).index(class_id)]
        shutil.copyfile(path, folder / f"{path.parent.name}_{path.name}")
    (folder / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n not really")
    return folder


@pytest.fixture
def test_layout(tmp_path, validation_sample):
    """A flat folder in the official test layout, with GT-final_test.csv."""
    folder = tmp_path / "Final_Test" / "Images"
    folder.mkdir(parents=True)
    rows = [HEADER]
    for index, (path, class_id) in enumerate(zip(*validation_sample)):
        name = f"{index:05d}.ppm"
        shutil.copyfile(path, folder / name)
        rows.append(f"{name};32;32;0;0;31;31;{class_id}")
    (folder / "GT-final_test.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    return folder


def test_classify_json_lines(image_folder, capsys):
    code = main(["classify", str(image_folder), "--json", "--top-k", "2"])
    out, err = capsys.readouterr()
    lines = [json.loads(line) for line in out.splitlines()]

    assert code == ExitCode.PROBLEMS_FOUND
    assert len(lines) == 8
    errors = [line for line in lines if "error" in line]
    assert len(errors) == 1
    assert errors[0]["source"].endswith("broken.png")
    assert "broken.png" in err
    results = [line for line in lines if "error" not in line]
    assert all(len(r["runners_up"]) == 2 for r in results)
    assert all(r["rule"] and r["evidence"] for r in results if not r["unknown"])


def test_classify_json_keeps_input_order(image_folder, capsys):
    images = sorted(p for p in image_folder.iterdir() if p.name != "broken.png")
    inputs = [images[0], image_folder / "broken.png", images[1]]

    code = main(["classify", *map(str, inputs), "--json"])
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]

    assert code == ExitCode.PROBLEMS_FOUND
    assert [line["source"] for line in lines] == [str(path) for path in inputs]
    assert "error" in lines[1]
    assert "error" not in lines[0]
    assert "error" not in lines[2]


def test_classify_text_explains(image_folder, capsys):
    image = sorted(image_folder.glob("00014_*"))[0]

    code = main(["classify", str(image)])
    out = capsys.readouterr().out

    assert code == ExitCode.OK
    assert 'stop "Stop"' in out
    assert "rule " in out and ".signs:" in out
    assert 'text = "STOP"' in out


def test_classify_text_negated_test(image_folder, capsys):
    # A speed limit is "not pictogram ~ blank": the evidence shows the
    # probability of that test, 1 - P(blank), which is high on a speed limit.
    image = sorted(image_folder.glob("00002_*"))[0]

    code = main(["classify", str(image)])
    out = capsys.readouterr().out
    evidence = next(line for line in out.splitlines() if line.strip().startswith("evidence"))
    negated = next(part for part in evidence.split(", ") if "not pictogram ~ blank" in part)

    assert code == ExitCode.OK
    assert 'speed_limit_50 "Speed limit 50 km/h"' in out
    assert float(negated.rsplit(" ", 1)[1]) > 0.9

    main(["classify", "--json", str(image)])
    record = json.loads(capsys.readouterr().out)
    blank = next(e for e in record["evidence"] if e["predicate"] == "pictogram ~ blank")
    assert blank["negated"]
    assert blank["probability"] < 0.1


def test_classify_missing_input(tmp_path, capsys):
    code = main(["classify", str(tmp_path / "nothing.png")])

    assert code == ExitCode.USAGE_ERROR
    assert "nothing.png: no such file or folder" in capsys.readouterr().err


def test_classify_zooms_unless_told_not_to(image_folder, tmp_path, capsys):
    from PIL import Image

    image = np.asarray(Image.open(sorted(image_folder.glob("00002_*"))[0]).convert("RGB"))
    pad = image.shape[0] // 2
    loose = tmp_path / "loose.png"
    Image.fromarray(np.pad(image, ((pad, pad), (pad, pad), (0, 0)), mode="edge")).save(loose)

    assert main(["classify", "--json", str(loose)]) == ExitCode.OK
    zoomed = json.loads(capsys.readouterr().out)
    assert main(["classify", "--json", "--no-zoom", str(loose)]) == ExitCode.OK
    whole = json.loads(capsys.readouterr().out)

    assert zoomed["sign_id"] == "speed_limit_50"
    assert zoomed["zoom"] < 1.0
    assert whole["zoom"] == 1.0
    assert whole["sign_id"] != "speed_limit_50"


def test_classify_json_reports_missing_input(image_folder, tmp_path, capsys):
    image = sorted(image_folder.glob("00002_*"))[0]

    code = main(["classify", "--json", str(tmp_path / "nothing.png"), str(image)])
    records = [json.loads(line) for line in capsys.readouterr().out.splitlines()]

    assert code == ExitCode.PROBLEMS_FOUND
    assert records[0]["source"] == str(tmp_path / "nothing.png")
    assert "no such file or folder" in records[0]["error"]
    assert records[1]["sign_id"] == "speed_limit_50"


def test_eval_test_layout(test_layout, capsys):
    code = main(["eval", str(test_layout), "--json", "--no-progress"])
    out = capsys.readouterr().out
    report = json.loads(out)

    assert code == ExitCode.OK
    # Strict JSON: no NaN or Infinity, which the JSON standard does not allow.
    json.loads(out, parse_constant=lambda name: pytest.fail(f"report holds {name}"))
    assert report["split"] == "all"
    assert report["images"] == 129
    # The same class-balanced sample as test_validation_images_classified.
    assert report["accuracy"] >= 0.96
    assert len(report["per_class"]) == 43
    assert set(report["per_attribute"]) == {"shape", "fill", "border", "strike", "digits", "text"}
    assert report["images_per_second"] > 0
    assert report["weights"].endswith("attributes.pt")
    assert report["glyph_weights"] is None

    # The sweep row at the rule set's own threshold repeats the headline figures.
    sweep = {row["threshold"]: row for row in report["threshold_sweep"]}
    assert sweep[report["threshold"]]["accuracy"] == pytest.approx(report["accuracy"])
    assert sweep[report["threshold"]]["unknown_rate"] == pytest.approx(report["unknown_rate"])
    unknown_rates = [row["unknown_rate"] for row in report["threshold_sweep"]]
    assert unknown_rates == sorted(unknown_rates)

    # The size bins split the images without loss and agree with the total.
    sizes = report["per_size"]
    assert sum(row["images"] for row in sizes) == report["images"]
    assert sum(row["correct"] for row in sizes) == pytest.approx(report["accuracy"] * report["images"])
    assert [row["side_from_px"] for row in sizes] == sorted(row["side_from_px"] for row in sizes)


def test_eval_class_without_rule(test_layout, capsys, caplog):
    # A dataset may contain classes that neither the rules nor the class table name.
    csv_path = test_layout / "GT-final_test.csv"
    lines = csv_path.read_text(encoding="utf-8").splitlines()
    lines[1] = lines[1].split(";")[0] + ";32;32;0;0;31;31;99"
    csv_path.write_text("\n".join(lines) + "\n", encoding="utf-8")

    code = main(["eval", str(test_layout), "--json", "--no-progress"])
    report = json.loads(capsys.readouterr().out)

    assert code == ExitCode.OK
    assert report["images"] == 129
    unlabelled = next(entry for entry in report["per_class"] if entry["class_id"] == 99)
    assert unlabelled["images"] == 1
    assert unlabelled["correct"] == 0
    assert set(report["per_attribute"]) == {"shape", "fill", "border", "strike", "digits", "text"}
    assert "no sign for GTSRB classes [99]" in caplog.text
    assert "leaves out 1 image of classes [99]" in caplog.text


def test_eval_reports_glyph_pool_weight(test_layout, capsys):
    code = main(["eval", str(test_layout), "--json", "--no-progress", "--glyph-pool-weight", "0.7"])
    report = json.loads(capsys.readouterr().out)

    assert code == ExitCode.OK
    assert report["glyph_pool_weight"] == 0.7
    assert report["glyph_weights"].endswith("glyphs.pt")

    assert main(["eval", str(test_layout), "--no-progress", "--glyph-pool-weight", "0.7"]) == ExitCode.OK
    assert "(pool weight 0.7)" in capsys.readouterr().out


def test_eval_reports_precision(test_layout, capsys):
    from signrules.attributes.inference import resolve_precision

    assert main(["eval", str(test_layout), "--json", "--no-progress"]) == ExitCode.OK
    assert json.loads(capsys.readouterr().out)["precision"] == resolve_precision("auto")
    assert main(["eval", str(test_layout), "--json", "--no-progress", "--precision", "float32"]) == ExitCode.OK
    assert json.loads(capsys.readouterr().out)["precision"] == "float32"


def test_eval_text_report(test_layout, capsys):
    code = main(["eval", str(test_layout), "--no-progress"])
    out = capsys.readouterr().out

    assert code == ExitCode.OK
    for heading in ("accuracy", "unknown", "per attribute", "per class", "per sign size", "images/s"):
        assert heading in out
    assert "(every image, 129 images)" in out


def test_eval_rejects_other_folder(tmp_path, capsys):
    code = main(["eval", str(tmp_path)])

    assert code == ExitCode.USAGE_ERROR
    assert str(tmp_path) in capsys.readouterr().err


def test_bench_reports_stages(image_folder, capsys):
    (image_folder / "broken.png").unlink()

    code = main(["bench", str(image_folder), "--batch-size", "6", "--repeats", "1",
                 "--latency-images", "5", "--json"])
    report = json.loads(capsys.readouterr().out)

    assert code == ExitCode.OK
    for key in ("decode_ms_per_image", "network_ms_per_image", "rules_ms_per_image", "latency_median_ms"):
        assert report[key] > 0, key
    assert 50 < report["network_mflops_per_image"] < 200
    assert report["precision"] in ("float32", "bfloat16")
    # Without the glyph reader nothing is timed for it.
    assert report["glyphs_ms_per_image"] == 0.0

    with pytest.raises(SystemExit):
        main(["bench", str(image_folder), "--precision", "half"])
    assert "invalid choice: 'half'" in capsys.readouterr().err


def test_exemplars_add_all_or_nothing(tmp_path, track_images, capsys):
    rules = tmp_path / "set"
    rules.mkdir()
    (rules / "ruleset.yaml").write_text("name: Test\ncountry: DE\n", encoding="utf-8")
    (rules / "animals.signs").write_text(
        'sign wild_animals "Wild animals"\n  when shape = triangle and pictogram ~ deer\n', encoding="utf-8"
    )
    good = track_images(31, validation=False, count=2)
    bad = tmp_path / "bad.png"
    bad.write_text("not an image", encoding="utf-8")

    refused = main(["exemplars", "add", "deer", str(good[0]), str(bad), "--rules", str(rules)])
    missing = main(["lint", str(rules)])
    added = main(["exemplars", "add", "wild_animals", *map(str, good), "--rules", str(rules)])
    clean = main(["lint", str(rules)])

    assert refused == ExitCode.USAGE_ERROR
    assert "bad.png" in capsys.readouterr().err
    assert missing == ExitCode.PROBLEMS_FOUND
    assert added == ExitCode.OK
    assert len(list((rules / "exemplars" / "deer").iterdir())) == 2
    assert clean == ExitCode.OK


def test_shipped_rules_lint_clean():
    # The console script, as CI runs it.
    result = subprocess.run([sys.executable, "-m", "signrules.engine.cli", "lint", "--strict",
                             str(__import__("signrules.rules", fromlist=["DEFAULT_RULESET"]).DEFAULT_RULESET)],
                            capture_output=True, text=True)

    assert result.returncode == 0, result.stdout + result.stderr


@pytest.fixture
def german_copy(tmp_path):
    """A copy of the shipped German rule set, exemplars and examples.yaml included."""
    from signrules.rules import DEFAULT_RULESET

    target = tmp_path / "de"
    shutil.copytree(DEFAULT_RULESET, target)
    return target


def test_check_examples_pass(german_copy, gtsrb_training, capsys):
    code = main(["check", str(german_copy), "--dataset", f"gtsrb={gtsrb_training}", "--require-all"])
    out = capsys.readouterr().out

    assert code == ExitCode.OK, out
    assert "examples:" in out and "pass" in out
    assert "fail" not in out


def test_check_catches_broken_rule(german_copy, gtsrb_training, capsys):
    # A rule edit that breaks a sign: the stop rule now wants another word.
    path = next(p for p in german_copy.glob("*.signs") if 'text = "STOP"' in p.read_text())
    path.write_text(path.read_text().replace('text = "STOP"', 'text = "HALT"'))

    code = main(["check", str(german_copy), "--dataset", f"gtsrb={gtsrb_training}"])
    out = capsys.readouterr().out

    assert code == ExitCode.PROBLEMS_FOUND
    assert "FAIL" in out
    assert "expected stop" in out


def test_check_all_skipped_fails(german_copy, tmp_path, capsys):
    # A check that tests nothing must not pass: CI would stay green on a typo.
    code = main(["check", str(german_copy), "--dataset", f"gtsrb={tmp_path / 'absent'}"])
    captured = capsys.readouterr()

    assert code == ExitCode.PROBLEMS_FOUND
    assert "pass --dataset gtsrb=PATH" in captured.out
    assert "every example was skipped" in captured.err


def test_check_some_skipped(german_copy, gtsrb_training, tmp_path, capsys):
    examples = german_copy / "examples.yaml"
    text = examples.read_text().replace("datasets:\n", f"datasets:\n  other: {tmp_path / 'absent'}\n")
    text = text.replace("  no_entry:\n", "  no_entry:\n    - other:Images/00017/00000_00000.ppm\n")
    examples.write_text(text)

    code = main(["check", str(german_copy), "--dataset", f"gtsrb={gtsrb_training}"])
    out = capsys.readouterr().out
    strict = main(["check", str(german_copy), "--dataset", f"gtsrb={gtsrb_training}", "--require-all"])

    assert code == ExitCode.OK
    assert "SKIPPED: other:Images/00017/00000_00000.ppm" in out
    assert strict == ExitCode.PROBLEMS_FOUND


def test_descriptor_fitted_into_weights(tmp_path, gtsrb_training, without_descriptor, capsys):
    # Weights "trained without" classes 1-42 and without a descriptor: the
    # command must fit it on the training tracks of class 0 alone.
    save_attribute_net(tmp_path / "older.pt", without_descriptor(), {"excluded_classes": list(range(1, 43))})
    data = load_gtsrb(gtsrb_training, classes=[0])
    train_index, _ = split_by_track(data)

    code = main(["descriptor", str(gtsrb_training), "--weights", str(tmp_path / "older.pt"),
                 "--output", str(tmp_path / "new.pt"), "--no-progress"])

    fitted, metadata = load_attribute_net(tmp_path / "new.pt")
    assert code == ExitCode.OK
    assert fitted.config.pictogram_descriptor
    assert metadata["descriptor"]["images"] == len(train_index)
    assert metadata["descriptor"]["left_out_classes"] == list(range(1, 43))
    assert metadata["weights_fingerprint"] in capsys.readouterr().out
    assert not load_attribute_net(tmp_path / "older.pt")[0].config.pictogram_descriptor


def test_descriptor_missing_weights(tmp_path, gtsrb_training, capsys):
    code = main(["descriptor", str(gtsrb_training), "--weights", str(tmp_path / "none.pt")])

    assert code != ExitCode.OK
    assert "none.pt: weights file not found" in capsys.readouterr().err


def test_descriptor_too_few_images(tmp_path, gtsrb_training, without_descriptor, capsys):
    # Every class left out: nothing to fit on, so the weights stay as they were.
    save_attribute_net(tmp_path / "older.pt", without_descriptor(), {"excluded_classes": list(range(43))})
    before = (tmp_path / "older.pt").read_bytes()

    code = main(["descriptor", str(gtsrb_training), "--weights", str(tmp_path / "older.pt"), "--no-progress"])

    assert code == ExitCode.USAGE_ERROR
    assert "needs more than 64 images, got 0" in capsys.readouterr().err
    assert (tmp_path / "older.pt").read_bytes() == before


def test_classify_with_glyphs_and_with_missing_glyph_weights(image_folder, tmp_path, capsys):
    image = sorted(image_folder.glob("00002_*"))[0]

    assert main(["classify", "--json", "--glyphs", str(image)]) == ExitCode.OK
    result = json.loads(capsys.readouterr().out)
    assert result["sign_id"] == "speed_limit_50"
    # Both readings behind the pooled digits are reported, the network's
    # as it reads without the glyph reader.
    readers = result["attributes"]["digits"]["readers"]
    assert sorted(readers) == ["glyphs", "network"]
    assert main(["classify", "--json", str(image)]) == ExitCode.OK
    alone = json.loads(capsys.readouterr().out)["attributes"]["digits"]
    assert "readers" not in alone
    assert readers["network"]["value"] == alone["value"]

    assert main(["classify", "--glyphs", str(image)]) == ExitCode.OK
    assert f"network {alone['value']} (" in capsys.readouterr().out

    # A stop sign shows no number, so the glyph reader is not asked at all.
    stop = sorted(image_folder.glob("00014_*"))[0]
    assert main(["classify", "--json", "--glyphs", str(stop)]) == ExitCode.OK
    stop_readers = json.loads(capsys.readouterr().out)["attributes"]["digits"]["readers"]
    assert list(stop_readers) == ["network"]
    # Nothing was pooled there, so no reader has a weight.
    assert "weight" not in stop_readers["network"]

    code = main(["classify", "--glyph-weights", str(tmp_path / "missing.pt"), str(image)])
    err = capsys.readouterr().err
    assert code != ExitCode.OK
    assert "missing.pt" in err
    assert "glyph" in err


def test_glyph_pool_weight_sets_pooling(image_folder, capsys):
    image = sorted(image_folder.glob("00002_*"))[0]

    # At the ends of the range the pooled digits are one reader's own.
    readings = {}
    for weight in ("0", "1"):
        assert main(["classify", "--json", "--glyph-pool-weight", weight, str(image)]) == ExitCode.OK
        readings[weight] = json.loads(capsys.readouterr().out)["attributes"]["digits"]
    for weight, reader in (("0", "network"), ("1", "glyphs")):
        own = readings[weight]["readers"][reader]
        assert own["weight"] == 1.0
        assert readings[weight]["value"] == own["value"]
        assert readings[weight]["probability"] == pytest.approx(own["probability"], abs=1e-3)


def test_glyph_pool_weight_out_of_range(capsys):
    from signrules.attributes.inference import GLYPH_WEIGHT

    with pytest.raises(SystemExit) as exit_info:
        main(["classify", "--glyph-pool-weight", "1.5", "x.png"])
    assert exit_info.value.code == ExitCode.USAGE_ERROR
    assert "invalid weight 1.5: expected a number from 0 to 1" in capsys.readouterr().err

    # The help names the classifier's default.
    with pytest.raises(SystemExit):
        main(["classify", "--help"])
    assert f"(default {GLYPH_WEIGHT})" in " ".join(capsys.readouterr().out.split())


def test_bench_rejects_zero_repeats(capsys):
    assert main(["bench", "--repeats", "0"]) == ExitCode.USAGE_ERROR
    assert "--repeats must be at least 1" in capsys.readouterr().err
