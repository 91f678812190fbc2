"""Local conventions recognised (issue 18 item 2): one table per rule set, the Hubei table without
indicator weights, and the command line's ``check`` / ``import`` on documents of both kinds."""

from __future__ import annotations

import copy
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from jixiao.rules.cli import main
from jixiao.rules.conventions import check_detected, check_document, detect_convention, level1_sums
from jixiao.rules.report import render_report
from jixiao.rules.table import parse_table
from jixiao.rules.tests.conftest import MEALS, RURAL, load
from jixiao.rules.validation import DocumentError

D = Decimal


def hubei() -> dict[str, Any]:
    """Funds block worth 20, indicator weights not printed (the issue's Hubei-style table)."""
    doc = load(RURAL)
    doc["funds"].update(weight=20, score=D("18.4"))
    for row in doc["indicators"]:
        row["weight"] = None
        row["score"] = None
    doc["total"], doc["grade"] = None, None
    return doc


def test_national_table_stays_national() -> None:
    convention = detect_convention(parse_table(load(RURAL)))
    assert convention.rule_set.name == "national-default" and convention.message is None
    result = check_detected(load(RURAL))
    assert result.convention is None and result.rule_set == "national-default"


def test_hubei_table_without_weights_is_not_scorable() -> None:
    assert level1_sums(parse_table(hubei())) is None
    result = check_detected(hubei())
    assert result.rule_set == "funds-weight-20"
    assert result.convention == "本表资金执行率分值为20分，按湖北省口径检查"
    assert result.funds is not None and result.funds.score == D("18.40")
    assert result.codes.count("WEIGHT_MISSING") == 7
    assert result.findings[-1].message.startswith("第7行指标「沿线群众满意度」未印分值，无法计分")
    assert result.total is None and result.grade is None
    data = result.to_dict()
    assert data["total"] is None and data["grade"] is None and data["convention"] == result.convention
    report = render_report(result)
    assert "本表资金执行率分值为20分，按湖北省口径检查" in report
    assert "三、总分 无法计算（有指标未印分值）" in report and "四、等级 不评定（有指标未印分值）" in report


def test_funds_weight_20_with_level1_weights() -> None:
    doc = load(RURAL)
    doc["funds"].update(weight=None, score=None)
    weights = [D(12), D(12), D(8), D(8), D(20), D(10), D(10)]  # 产出 40, 效益 30, 满意度 10
    for row, w in zip(doc["indicators"], weights, strict=True):
        row["weight"], row["score"] = w, None
    table = parse_table(doc)
    assert level1_sums(table) == {"产出指标": 40, "效益指标": 30, "满意度指标": 10}
    convention = detect_convention(table)
    assert convention.rule_set.name == "funds-weight-20"
    assert (
        convention.message == "本表一级指标分值为产出指标40分、效益指标30分、满意度指标10分，按湖北省口径检查"
    )


def test_other_funds_weight_or_level1_weights_fall_back_to_scores() -> None:
    doc = load(RURAL)
    doc["funds"]["weight"] = 15  # no rule set has it; the table's numbers decide
    assert detect_convention(parse_table(doc)).rule_set.name == "national-default"
    doc = load(RURAL)
    doc["indicators"][0]["weight"] = 16
    assert detect_convention(parse_table(doc)).rule_set.name == "national-default"


def test_integer_rounding_table() -> None:
    doc = load(RURAL)
    doc["funds"]["score"] = 9
    for row, score in zip(doc["indicators"], [15, 14, 9, 10, 18, 7, 10], strict=True):
        row["score"] = score
    doc["total"] = 92
    result = check_detected(doc)
    assert result.rule_set == "integer-rounding"
    assert result.convention is not None and result.convention.endswith("按指标得分取整数的地方口径检查")
    assert not any(f.severity == "error" for f in result.findings)


def test_execution_bands_table() -> None:
    doc = load(RURAL)
    doc["funds"]["score"] = 9  # 92% lies in [90%, 95%) → 0.9 × 10
    doc["total"] = D("91.68")
    result = check_detected(doc)
    assert result.rule_set == "execution-bands"
    assert result.convention is not None and "预算执行率分档计分的地方口径" in result.convention


def test_vendor_grade_bands_table() -> None:
    doc = load(RURAL)
    doc["indicators"][4]["score"] = 16
    doc["indicators"][0]["score"] = 15
    doc["total"], doc["grade"] = D("89.88"), "优"  # 优 from 80 under the vendor's bands
    result = check_detected(doc)
    assert result.rule_set == "vendor-80-70-60"
    assert result.convention is not None and "优≥80分、良≥70分的等级口径" in result.convention


def test_errors_no_convention_explains_stay_national() -> None:
    result = check_detected(load(MEALS))
    assert result.rule_set == "national-default" and result.convention is None
    assert "EXEC_SCORE_MISMATCH" in result.codes


def test_malformed_document_and_document_kinds() -> None:
    assert check_detected({"kind": "x"}).exit_status == 2
    error = DocumentError([])
    assert check_document(error, None).rule_set == "national-default"
    assert check_document(load(RURAL), None).rule_set == "national-default"
    from jixiao.rules.ruleset import get_rule_set

    assert check_document(hubei(), get_rule_set("national-default")).rule_set == "national-default"


# --- the command line ------------------------------------------------------------------------------


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    status = main(list(args))
    out, err = capsys.readouterr()
    return status, out, err


def write(tmp_path: Path, name: str, doc: Any) -> str:
    path = tmp_path / name
    path.write_text(json.dumps(doc, ensure_ascii=False, default=str), encoding="utf-8")
    return str(path)


def test_check_names_the_convention(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    doc = json.loads(json.dumps(hubei(), default=float))
    status, out, _ = run(capsys, "check", write(tmp_path, "hubei.json", doc))
    assert status == 0 and "按湖北省口径检查" in out
    status, out, _ = run(
        capsys, "check", write(tmp_path, "hubei.json", doc), "--rules", "national-default", "--json"
    )
    assert json.loads(out)["convention"] is None and json.loads(out)["rule_set"] == "national-default"


def test_check_score_sheet(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    from jixiao.rules.tests.test_overall import s24_sheet

    sheet = s24_sheet()
    status, out, _ = run(capsys, "check", write(tmp_path, "sheet.json", sheet))
    assert status == 0 and "部门整体支出绩效评价评分表检查" in out
    status, out, _ = run(capsys, "check", write(tmp_path, "sheet.json", sheet), "--json")
    assert json.loads(out)["kind"] == "department_overall_score_sheet"
    bad = copy.deepcopy(sheet)
    bad["items"] = "x"
    status, out, err = run(capsys, "check", write(tmp_path, "bad.json", bad))
    assert status == 2 and out == "" and "文档格式错误" in err


def test_check_malformed_json_still_exit_2(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "x.json"
    path.write_text("{", encoding="utf-8")
    status, _, err = run(capsys, "check", str(path))
    assert status == 2 and "JSON 格式错误" in err


def test_check_and_import_table_files(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from jixiao.tablefiles.tests.builders import docx_bytes

    doc = json.loads(RURAL.read_text(encoding="utf-8"))
    path = tmp_path / "表.docx"
    path.write_bytes(docx_bytes(doc))
    status, out, _ = run(capsys, "check", str(path))
    assert status == 0 and "项目支出绩效自评表检查：农村公路养护" in out
    broken = tmp_path / "坏.docx"
    broken.write_bytes(b"not a zip")
    status, out, err = run(capsys, "check", str(broken), "--json")
    assert status == 2 and "不是有效的 Word" in err and json.loads(out)["exit_status"] == 2
    status, out, _ = run(capsys, "import", str(path))
    assert status == 0 and json.loads(out) == doc
