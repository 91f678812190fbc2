"""The department-overall score sheet (部门整体支出绩效评价评分表, domain.md §2.8 b, §3.5, §4.10):
document, checker with the rubric's formulas and local rubrics, and the printed layout."""

from __future__ import annotations

import copy
from decimal import Decimal
from typing import Any

import pytest

from jixiao.rules.layout import Grid, recognise
from jixiao.rules.overall import (
    available_rubrics,
    check_score_sheet,
    get_rubric,
    parse_score_sheet,
    sheet_to_dict,
)
from jixiao.rules.report import render_errors, render_sheet_report
from jixiao.rules.validation import DocumentError

D = Decimal


def item(
    level1: str, level2: str, name: str, weight: Any, value: Any, score: Any, standard: str = ""
) -> dict[str, Any]:
    return {
        "level1": level1,
        "level2": level2,
        "name": name,
        "weight": weight,
        "standard": standard or "见评分细则",
        "value": value,
        "score": score,
        "note": None,
    }


def s24_sheet() -> dict[str, Any]:
    """Worked example C (§4.10) completed to 100 points."""
    return {
        "kind": "department_overall_score_sheet",
        "year": 2018,
        "unit": "示例县农业农村局",
        "title": "部门整体支出绩效评价评分表",
        "items": [
            item(
                "投入",
                "预算配置",
                "在职人员控制率",
                8,
                "95.10%",
                8,
                "在职人数/编制数≤100%得满分，每超1个百分点扣0.5分",
            ),
            item("投入", "预算配置", "\u201c三公\u201d经费变动率", 8, "98.31%", 0),
            item("过程", "预算执行", "预算完成率", 8, "99.27%", 8),
            item("过程", "预算执行", "预算调整率", 8, "39.94%", 0),
            item("过程", "预算管理", "管理制度健全性", 18, "制度健全", 17),
            item("产出", "职责履行", "重点工作办结率", 25, "100%", 25),
            item("效果", "履职效益", "社会公众或服务对象满意度", 25, "96%", 24),
        ],
        "total": 82,
        "grade": "良",
    }


def test_worked_example_c_checks_clean() -> None:
    result = check_score_sheet(s24_sheet())
    assert result.errors == () and result.findings == () and result.exit_status == 0
    assert result.rubric == "overall-s24" and result.convention is None
    assert [c.score for c in result.items] == [D(8), D(0), D(8), D(0), None, None, None]
    assert result.total == D(82) and result.grade == "良"
    data = result.to_dict()
    assert data["total"] == 82.0 and data["claimed_grade"] == "良" and data["items"][0]["value"] == 95.1
    report = render_sheet_report(result)
    assert "部门整体支出绩效评价评分表检查" in report and "检查结论：未发现问题。" in report


def test_findings_of_a_defective_sheet() -> None:
    sheet = s24_sheet()
    sheet["items"][0]["value"] = "104%"  # 4 pp over → 8 − 2 = 6
    sheet["items"][2]["score"] = 9  # above weight
    sheet["items"][3]["value"] = "约四成"  # not a number
    sheet["items"][4]["weight"] = 20  # weights now 102
    sheet["total"], sheet["grade"] = 90, "良"
    result = check_score_sheet(sheet, rubric="overall-s24")
    assert result.codes == (
        "RUBRIC_SCORE_MISMATCH",
        "SCORE_EXCEEDS_WEIGHT",
        "VALUE_UNPARSED",
        "WEIGHTS_TOTAL",
        "TOTAL_MISMATCH",
        "GRADE_MISMATCH",
    )
    assert result.findings[0].message == "第1项「在职人员控制率」指标值「104%」按评分标准应得 6.00 分，填报 8"
    assert result.to_dict()["findings"][0] == {
        "code": "RUBRIC_SCORE_MISMATCH",
        "severity": "error",
        "indicator": 0,
        "message": result.findings[0].message,
    }
    assert result.exit_status == 1
    assert "检查结论：6 个错误，0 个警告。" not in render_sheet_report(result)
    assert "[错误] RUBRIC_SCORE_MISMATCH" in render_sheet_report(result)


def test_negative_score_and_missing_weight_or_score_give_no_total() -> None:
    sheet = s24_sheet()
    sheet["items"][4]["weight"] = None
    sheet["items"][0]["value"] = None
    sheet["items"][5]["score"] = None
    sheet["items"][6]["score"] = -1
    result = check_score_sheet(sheet)
    assert result.codes == ("WEIGHT_MISSING", "SCORE_MISSING", "SCORE_EXCEEDS_WEIGHT")
    assert result.total is None and result.grade is None
    assert "无法计算" in render_sheet_report(result)
    sheet["total"] = None
    sheet["items"] = []
    empty = check_score_sheet(sheet)
    assert "（无评分项）" in render_sheet_report(empty) and empty.codes == ("WEIGHTS_TOTAL", "GRADE_MISMATCH")


def test_local_rubric_is_recognised_and_named() -> None:
    sheet = s24_sheet()
    sheet["items"][0]["value"], sheet["items"][0]["score"] = "110%", 7  # S23: 10 pp × 0.1 = 1
    sheet["items"][1]["score"] = D("0")
    sheet["items"][1]["value"] = "10%"
    sheet["items"][1]["score"] = 5  # S23: 10 pp × 0.3 = 3 → 5
    sheet["total"] = 86
    result = check_score_sheet(sheet)
    assert result.rubric == "overall-s23" and result.findings == ()
    assert result.convention is not None and "控制率每超1个百分点扣0.1分" in result.convention
    forced = check_score_sheet(sheet, rubric="overall-s24")
    assert forced.convention is None and "RUBRIC_SCORE_MISMATCH" in forced.codes
    assert available_rubrics() == ("overall-s23", "overall-s24")
    assert get_rubric().item("不存在的指标") is None


def test_malformed_sheet() -> None:
    result = check_score_sheet([])
    assert result.exit_status == 2 and result.to_dict()["errors"][0]["message"] == "文档应为 JSON 对象"
    assert "文档格式错误" in render_errors(result)
    bad = s24_sheet()
    bad["items"].append("x")
    bad["items"][0]["name"] = 3
    with pytest.raises(DocumentError) as exc:
        parse_score_sheet(bad)
    assert len(exc.value.errors) == 2


def test_sheet_to_dict_round_trip() -> None:
    sheet = s24_sheet()
    assert sheet_to_dict(parse_score_sheet(copy.deepcopy(sheet))) == sheet


def test_printed_score_sheet_is_recognised() -> None:
    sheet = s24_sheet()
    rows: list[tuple[str, ...]] = [
        ("部门整体支出绩效评价评分表",) * 8,
        ("单位名称：示例县农业农村局", "", "", "", "", "2018年度", "", ""),
        ("一级指标", "二级指标", "三级指标", "分值", "评分标准", "指标值", "得分", "扣分原因"),
    ]
    for i in sheet["items"]:
        rows.append(
            (
                i["level1"],
                i["level2"],
                i["name"],
                str(i["weight"]),
                i["standard"],
                i["value"],
                str(i["score"]),
                "",
            )
        )
    rows.insert(5, ("", "", "", "", "", "", "", ""))
    rows += [("合计", "", "", "100", "", "", "82", ""), ("评价等级", "良")]
    result = recognise(Grid(tuple(rows)))
    assert result.ok and result.document == sheet
    no_title = [r for r in rows if r[0] != "部门整体支出绩效评价评分表"]
    assert recognise(Grid(tuple(no_title))).document["title"] == "部门整体支出绩效评价评分表"  # type: ignore[index]
    level1_blank = [*rows[:4], ("", *rows[4][1:]), *rows[5:]]
    assert recognise(Grid(tuple(level1_blank))).document == sheet
