"""Recognising printed self-evaluation tables in grids of cell texts (issue 18 item 1)."""

from __future__ import annotations

import copy
from decimal import Decimal
from typing import Any

import pytest

from jixiao.rules.layout import (
    Grid,
    LayoutResult,
    clean,
    join_split_rows,
    read_number,
    recognise,
    split_weight,
)
from jixiao.rules.tests.conftest import MEALS, RURAL
from jixiao.rules.tests.conftest import load_plain as plain

D = Decimal
HEADER = (
    "绩效指标",
    "一级指标",
    "二级指标",
    "三级指标",
    "年度指标值",
    "实际完成值",
    "分值",
    "得分",
    "偏差原因分析及改进措施",
)


def num(value: Any) -> str:
    return "" if value is None else format(D(str(value)).normalize(), "f")


def national_rows(doc: dict[str, Any], *, weights_in_level1: bool = False) -> list[tuple[str, ...]]:
    """The national layout as a Word table reads: merged cells repeat their text."""
    f = doc["funds"]
    title = doc["title"]
    rows: list[tuple[str, ...]] = [
        (f"项目支出绩效自评表（{doc['year']}年度）",) * 9,
        ("项目名称", title, title, title, title, title, title, title, title),
        (
            "主管部门",
            doc["unit"],
            doc["unit"],
            doc["unit"],
            "实施单位",
            doc["unit"],
            doc["unit"],
            doc["unit"],
            doc["unit"],
        ),
        (
            f"项目资金（{doc.get('amount_unit', '万元')}）",
            "年初预算数",
            "全年预算数",
            "全年执行数",
            "分值",
            "执行率",
            "得分",
            "",
            "",
        ),
        (
            "年度资金总额",
            num(f["annual_initial_budget"]),
            num(f["annual_budget"]),
            num(f["executed"]),
            num(f["weight"]),
            "92%",
            num(f["score"]),
            "",
            "",
        ),
        ("其中：当年财政拨款", "", num(f["annual_budget"]), "", "", "", "", "", ""),
        ("上年结转资金", "", "0", "", "", "", "", "", ""),
        ("其他资金", "", "0", "", "", "", "", "", ""),
    ]
    if doc.get("execution_note"):
        rows.append(("执行率偏低原因", doc["execution_note"], *[doc["execution_note"]] * 7))
    rows.append(HEADER)
    sums: dict[str, Decimal] = {}
    for r in doc["indicators"]:
        sums[r["level1"]] = sums.get(r["level1"], D(0)) + D(str(r["weight"] or 0))
    for r in doc["indicators"]:
        level1 = f"{r['level1']}（{num(sums[r['level1']])}分）" if weights_in_level1 else r["level1"]
        rows.append(
            (
                "绩效指标",
                level1,
                r["level2"],
                r["name"],
                r["target"],
                r["actual"],
                num(r["weight"]),
                num(r["score"]),
                r["note"] or "",
            )
        )
    rows.append(("总分", "总分", "总分", "总分", "总分", "总分", "100", num(doc.get("total")), ""))
    rows.append(("自评等级", "自评等级", doc.get("grade") or "", "", "", "", "", "", ""))
    return rows


def grid(rows: list[tuple[str, ...]], **kwargs: Any) -> Grid:
    return Grid(tuple(rows), **kwargs)


def messages(result: LayoutResult) -> list[str]:
    return [p.message for p in result.problems]


@pytest.mark.parametrize("path", [RURAL, MEALS])
def test_national_layout_reads_back_exactly(path: Any) -> None:
    doc = plain(path)
    result = recognise(grid(national_rows(doc), lead=("项目支出绩效自评表", f"（{doc['year']}年度）")))
    assert result.ok and result.document == doc


def test_weights_printed_in_level1_cells_are_not_part_of_the_name() -> None:
    doc = plain(RURAL)
    result = recognise(grid(national_rows(doc, weights_in_level1=True), lead=("（2020年度）",)))
    assert result.document == doc
    assert split_weight("产出指标(50分)") == ("产出指标", D(50))
    assert split_weight("产出指标") == ("产出指标", None)


def test_unit_and_nature_columns_and_title_rows() -> None:
    rows = [
        ("项目支出绩效自评表",) * 6,
        ("（单位：元）", "", "", "", "", ""),
        ("项目名称：路灯维护", "", "", "", "", ""),
        ("实施单位", "城管局", "自评年度", "2022", "", ""),
        ("项目资金", "年初预算", "调整后预算数", "预算执行数", "权重", "得分"),
        ("资金总额", "100", "120", "96", "10", "8"),
        ("执行率偏低原因", "", "", "", "", ""),
        (
            "一级指标",
            "二级指标",
            "三级指标",
            "指标性质",
            "指标值",
            "度量单位",
            "完成值",
            "权重",
            "得分",
            "未完成原因分析",
        ),
        ("产出指标", "数量指标", "维修路灯", "≥", "50", "盏", "52", "20", "20", ""),
        ("", "", "群众满意度", "", "满意", "", "满意", "70", "60", "个别投诉"),
        ("合计", "", "", "", "", "", "", "100", "88", ""),
        ("评价等级：良", "", "", "", "", "", "", "", "", ""),
    ]
    result = recognise(grid(rows))
    assert result.ok, messages(result)
    doc = result.document
    assert doc is not None
    assert (doc["title"], doc["unit"], doc["year"], doc["amount_unit"]) == ("路灯维护", "城管局", 2022, "元")
    assert doc["funds"] == {
        "annual_initial_budget": 100,
        "annual_budget": 120,
        "executed": 96,
        "weight": 10,
        "score": 8,
    }
    assert doc["execution_note"] is None
    first, second = doc["indicators"]
    assert (first["target"], first["actual"]) == ("≥50盏", "52盏")
    assert (second["level1"], second["level2"], second["target"], second["note"]) == (
        "产出指标",
        "数量指标",
        "满意",
        "个别投诉",
    )
    assert (doc["total"], doc["grade"]) == (88, "良")


def test_unreadable_and_non_numeric_cells_are_reported_by_row_and_column() -> None:
    rows = national_rows(plain(RURAL))
    header = rows.index(HEADER)
    rows[header + 2] = (*rows[header + 2][:6], "十五", *rows[header + 2][7:])
    result = recognise(
        grid(
            rows,
            unreadable={(header + 1, 7): "错误值 #REF!"},
            row_numbers=tuple(range(3, 40)),
            lead=("（2020年度）",),
        )
    )
    assert not result.ok
    assert [(p.row, p.column) for p in result.problems] == [(header + 4, 8), (header + 5, 7)]
    assert messages(result) == [
        f"第{header + 4}行第8列：得分无法读取（错误值 #REF!），请核对原表",
        f"第{header + 5}行第7列：分值「十五」不是数字，请核对原表",
    ]
    assert result.problems[0].to_dict() == {"row": header + 4, "column": 8, "message": messages(result)[0]}


def test_not_a_table() -> None:
    result = recognise(grid([("会议纪要",), ("一、出席人员",)], source="Word 表格"))
    assert result.document is None and not result.ok
    assert messages(result) == ["Word 表格中未找到“一级指标、二级指标、三级指标”表头，不是可识别的绩效自评表"]


def test_header_without_target_or_actual() -> None:
    result = recognise(grid([("一级指标", "二级指标", "三级指标", "分值")]))
    assert messages(result) == ["第1行：指标表头缺少“年度指标值、实际完成值”列"]


def test_missing_year_title_unit_funds() -> None:
    rows = [HEADER, ("绩效指标", "产出指标", "数量指标", "道路", "10公里", "10公里", "90", "90", "")]
    result = recognise(grid(rows))
    assert messages(result) == [
        "未找到自评年度（如标题中的“2021年度”）",
        "未找到“项目名称”及其内容",
        "未找到“实施单位”及其内容",
        "未找到预算执行表头（年初预算数、全年预算数、全年执行数）",
    ]
    assert (
        result.document is not None and result.document["total"] is None and result.document["grade"] is None
    )


def test_funds_header_without_total_row_and_bad_grade() -> None:
    rows = [
        ("项目名称", "道路", "实施单位", "交通局", "自评年度", "2021年"),
        ("项目资金", "年初预算数", "全年预算数", "全年执行数", "分值", "得分"),
        ("当年财政拨款", "1", "1", "1", "", ""),
        HEADER,
        ("绩效指标", "产出指标", "数量指标", "道路", "10公里", "10公里", "90", "90", ""),
        ("总分", "", "", "", "", "", "100", "", ""),
        ("自评等级", "很好"),
        ("等级", ""),
    ]
    result = recognise(grid(rows))
    assert messages(result) == [
        "第2行：预算执行表头下未找到“年度资金总额”行",
        "第7行第2列：自评等级「很好」应为优、良、中、差之一",
    ]
    assert (
        result.document is not None and result.document["year"] == 2021 and result.document["total"] is None
    )


def test_grade_label_without_value_and_unreadable_grade() -> None:
    base = national_rows(plain(RURAL))
    empty = [*base[:-1], ("自评等级", "自评等级", "", "", "", "", "", "", "")]
    assert recognise(grid(empty)).document["grade"] is None  # type: ignore[index]
    n = len(base) - 1
    result = recognise(grid(base, unreadable={(n, 2): "单元格是图片或嵌入对象"}))
    assert messages(result) == [f"第{n + 1}行第3列：自评等级无法读取（单元格是图片或嵌入对象），请核对原表"]


def test_unreadable_label_value_and_execution_note() -> None:
    doc = plain(MEALS)
    doc["execution_note"] = "学校合并，就餐人数减少"
    rows = national_rows(doc)
    result = recognise(grid(rows))
    assert result.document == doc
    result = recognise(grid(rows, unreadable={(1, 1): "字体无法转换为文字"}))
    assert messages(result) == ["第2行第2列：项目名称无法读取（字体无法转换为文字），请核对原表"]
    blank_note = [r if r[0] != "执行率偏低原因" else ("执行率偏低原因",) for r in rows]
    assert recognise(grid(blank_note)).document["execution_note"] is None  # type: ignore[index]


def test_table_ending_without_total_row() -> None:
    rows = national_rows(plain(RURAL))[:-2]
    result = recognise(grid(rows, lead=("2020年度",)))
    assert result.ok and result.document is not None
    assert result.document["total"] is None and len(result.document["indicators"]) == 7


def test_repeated_header_and_blank_rows_are_skipped() -> None:
    rows = national_rows(plain(RURAL))
    header = rows.index(HEADER)
    rows[header + 3 : header + 3] = [HEADER, ("绩效指标", "", "", "", "", "", "", "", "")]
    result = recognise(grid(rows))
    assert result.document == plain(RURAL)


def test_rows_split_over_pdf_pages_are_joined() -> None:
    doc = plain(RURAL)
    rows = national_rows(doc)
    header = rows.index(HEADER)
    r = header + 5  # 群众出行条件改善
    top = ("", rows[r][1], "社会效", "群众出行", "明显改善", "达成年度", "20", "18", "")
    bottom = ("", "", "益指标", "条件改善", "", "指标", "", "", "")
    total = len(rows) - 2
    rows[r : r + 1] = [top, bottom]
    # the grade row also begins a page: it is not part of the total row above it
    pages = frozenset({r + 1, total + 2})
    result = recognise(grid(rows, page_starts=pages, unreadable={(r + 2, 1): "x"}))
    assert [p.row for p in result.problems] == [r + 3]
    result = recognise(grid(rows, page_starts=pages))
    assert result.document == doc


def test_join_split_rows_keeps_rows_with_their_own_scores() -> None:
    rows = [
        HEADER,
        ("", "产出", "数量", "a", "1", "1", "5", "5", ""),
        ("", "", "", "b", "1", "1", "5", "5", ""),
    ]
    joined = join_split_rows(
        grid(rows, page_starts=frozenset({2})), 0, {"level1": 1, "weight": 6, "score": 7}
    )
    assert joined.rows == tuple(rows)
    no_numbers = join_split_rows(grid(rows, page_starts=frozenset({2})), 0, {"level1": 1})
    assert no_numbers.rows == tuple(rows)


def test_read_number() -> None:
    assert read_number(" 1,200.50 ") == D("1200.50")
    assert read_number("10分") == D(10) and read_number("92%") == D(92) and read_number("—") is None
    for bad in ("约15", "Infinity", "1e20"):
        with pytest.raises(ValueError):
            read_number(bad)


def test_clean_joins_wrapped_lines() -> None:
    assert clean("年度资金总\n额 ") == "年度资金总额" and clean(" 优 ") == "优"


def test_grid_cell_outside_row() -> None:
    g = grid([("a",)])
    assert g.cell(0, 3) == "" and g.number_of(5) == 6


def test_copy_is_independent() -> None:
    doc = plain(RURAL)
    rows = national_rows(copy.deepcopy(doc))
    assert recognise(grid(rows)).document == doc


def test_labels_followed_by_blank_or_repeated_cells() -> None:
    rows = [
        ("（2021年度）",),
        ("项目名称", "项目名称", "", "路灯维护"),
        ("实施单位",),
        ("实施单位", "城管局"),
        ("项目资金", "年初预算数", "全年预算数", "全年执行数", "分值", "得分"),
        ("年度资金总额", "1", "1", "1", "10", "10"),
        ("一级指标", "二级指标", "三级指标", "年度指标值", "计量单位", "实际完成值", "分值", "得分"),
        ("产出指标", "数量指标", "路灯", "50", "盏", "50", "90", "90"),
    ]
    result = recognise(grid(rows))
    assert result.ok and result.document is not None
    assert (result.document["title"], result.document["unit"]) == ("路灯维护", "城管局")
    broken = recognise(grid(rows, unreadable={(7, 3): "x"}))
    assert broken.document is not None and broken.document["indicators"][0]["target"] is None  # type: ignore[index]
