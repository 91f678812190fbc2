"""The self-evaluation checker: the shared examples, every finding code, malformed documents."""

from __future__ import annotations

import copy
import json
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jixiao.rules.checker import CheckResult, check_json, check_table
from jixiao.rules.report import display_width, format_table, render_errors, render_report
from jixiao.rules.ruleset import UnknownRuleSetError, get_rule_set
from jixiao.rules.table import SelfEvalTable, decode_json, parse_table
from jixiao.rules.tests.conftest import MEALS, RURAL, load
from jixiao.rules.validation import DocumentError

D = Decimal
FORMAT_KEYS = {"funds", "indicators", "total", "claimed_total", "grade", "claimed_grade", "findings"}
INDICATOR_KEYS = {"index", "name", "target", "actual", "method", "score", "claimed_score", "band"}


def _expected_text(path: Path) -> str:
    return path.with_name(path.name.replace(".json", ".expected.md")).read_text(encoding="utf-8")


# --- the shared examples ------------------------------------------------------------------------


def test_rural_road_maintenance(rural: dict[str, Any]) -> None:
    result = check_table(rural)
    expected = _expected_text(RURAL)
    assert "execution rate 92.00%" in expected and "total 91.88" in expected and "grade 优" in expected
    assert result.funds is not None and result.funds.rate == D("0.92") and result.funds.score == D("9.20")
    scores = [c.result.score for c in result.indicators]
    assert scores == [D("15.00"), D("14.12"), D("9.00"), D("10.00"), None, None, D("9.56")]
    bands = [c.result.band for c in result.indicators]
    assert bands[4] == (D(16), D(20)) and bands[5] == (D(6), D(8))
    assert [c.counted for c in result.indicators][4:6] == [D(18), D(7)]
    assert result.total == D("91.88") and result.grade == "优"
    assert "No error-level finding" in expected
    assert not any(f.severity == "error" for f in result.findings)
    assert result.exit_status == 0
    assert [level.name for level in result.levels] == ["产出指标", "效益指标", "满意度指标"]
    assert [level.score for level in result.levels] == [D("48.12"), D(25), D("9.56")]


def test_school_meals_defects(meals: dict[str, Any]) -> None:
    result = check_table(meals)
    expected = _expected_text(MEALS)
    listed = set(re.findall(r"→ ([A-Z_]+)", expected))
    assert listed == {
        "EXEC_SCORE_MISMATCH",
        "LOW_EXECUTION_UNEXPLAINED",
        "INDICATOR_SCORE_MISMATCH",
        "QUAL_SCORE_OUT_OF_BAND",
        "SCORE_EXCEEDS_WEIGHT",
        "TOTAL_MISMATCH",
        "GRADE_MISMATCH",
    }
    assert set(result.codes) == listed and len(result.codes) == len(listed)
    severity = {f.code: f.severity for f in result.findings}
    assert severity["LOW_EXECUTION_UNEXPLAINED"] == "warning"
    assert all(severity[c] == "error" for c in listed - {"LOW_EXECUTION_UNEXPLAINED"})
    rows = {f.code: f.indicator for f in result.findings}
    assert rows["INDICATOR_SCORE_MISMATCH"] == 1
    assert rows["QUAL_SCORE_OUT_OF_BAND"] == 4
    assert rows["SCORE_EXCEEDS_WEIGHT"] == 6
    assert rows["TOTAL_MISMATCH"] is None
    assert result.funds is not None and result.funds.rate == D("0.7") and result.funds.score == D("7.00")
    meals_rows = result.indicators
    assert meals_rows[1].result.score == D("14.40")
    assert meals_rows[2].result.method == "deadline" and meals_rows[2].result.score == D("10.00")
    assert meals_rows[3].result.score == D("5.00")
    assert meals_rows[4].result.band == (D(0), D(12))
    assert result.exit_status == 1
    messages = {f.code: f.message for f in result.findings}
    assert messages["INDICATOR_SCORE_MISMATCH"].startswith("第2行指标「供餐合格率」")
    assert "7.00" in messages["EXEC_SCORE_MISMATCH"]


def test_json_output_shape(rural: dict[str, Any]) -> None:
    data: dict[str, Any] = check_table(rural).to_dict()
    assert set(data) >= FORMAT_KEYS
    assert data["funds"] == {
        "execution_rate": 0.92,
        "score": 9.2,
        "claimed_score": 9.2,
        "weight": 10,
        "method": "execution_ratio",
    }
    first, fifth = data["indicators"][0], data["indicators"][4]
    assert set(first) >= INDICATOR_KEYS
    assert first["target"] == {"kind": "quantitative", "op": ">=", "value": 120, "unit": "公里"}
    assert first["actual"] == {"kind": "quantitative", "op": "=", "value": 126, "unit": "公里"}
    assert (first["method"], first["score"], first["claimed_score"], first["band"]) == (
        "positive_ratio",
        15.0,
        15,
        None,
    )
    assert fifth["target"] == {"kind": "qualitative", "text": "明显改善"}
    assert (fifth["method"], fifth["score"], fifth["claimed_score"], fifth["band"]) == (
        "qualitative_band",
        None,
        18,
        [16.0, 20.0],
    )
    assert (data["total"], data["claimed_total"], data["grade"], data["claimed_grade"]) == (
        91.88,
        91.88,
        "优",
        "优",
    )
    assert data["findings"] == [] and data["rule_set"] == "national-default"
    json.dumps(data, ensure_ascii=False)


def test_same_findings_from_text_and_dict() -> None:
    text = MEALS.read_bytes()
    assert check_json(text).to_dict() == check_table(load(MEALS)).to_dict()
    assert (
        check_json(text.decode("utf-8")).codes == check_table(json.loads(text)).codes
    )  # floats, not Decimals


# --- every finding code -------------------------------------------------------------------------


def _doc(**changes: Any) -> dict[str, Any]:
    doc = copy.deepcopy(load(RURAL))
    doc.update(changes)
    return doc


def _row(doc: dict[str, Any], index: int, **changes: Any) -> dict[str, Any]:
    doc["indicators"][index].update(changes)
    return doc


def _codes(doc: dict[str, Any], rules: str = "national-default") -> list[str]:
    return list(check_table(doc, rules).codes)


def test_weights_total() -> None:
    doc = _row(_doc(), 0, weight=20)
    assert "WEIGHTS_TOTAL" in _codes(doc)
    doc = _row(_doc(), 0, weight=None)
    assert "WEIGHTS_TOTAL" not in _codes(doc)


def test_exec_score_rules() -> None:
    doc = _doc()
    doc["funds"]["score"] = 11
    result = check_table(doc)
    assert result.codes[0] == "SCORE_EXCEEDS_WEIGHT" and "EXEC_SCORE_MISMATCH" not in result.codes
    doc["funds"]["score"] = D("9.21")
    assert "EXEC_SCORE_MISMATCH" not in _codes(doc)  # within the 0.01 tolerance
    doc["funds"]["score"] = D("9.22")
    assert "EXEC_SCORE_MISMATCH" in _codes(doc)
    doc["funds"]["score"] = None
    assert "EXEC_SCORE_MISMATCH" not in _codes(doc)


def test_zero_budget() -> None:
    doc = _doc()
    doc["funds"]["annual_budget"] = None
    result = check_table(doc)
    assert "ZERO_BUDGET" in result.codes and "EXEC_SCORE_MISMATCH" in result.codes
    assert "LOW_EXECUTION_UNEXPLAINED" not in result.codes and "EXECUTION_INDICATOR_GAP" not in result.codes
    message = next(f.message for f in result.findings if f.code == "EXEC_SCORE_MISMATCH")
    assert "预算数为零或未填写" in message
    doc["funds"]["annual_budget"] = 0
    assert "ZERO_BUDGET" in _codes(doc)


def test_low_execution_and_note() -> None:
    doc = _doc()
    doc["funds"].update(executed=150, score=D("7.5"))
    codes = _codes(doc)
    assert "LOW_EXECUTION_UNEXPLAINED" in codes and "EXECUTION_INDICATOR_GAP" in codes
    doc["execution_note"] = "项目延期"
    assert "LOW_EXECUTION_UNEXPLAINED" not in _codes(doc)
    doc["execution_note"] = "   "
    assert "LOW_EXECUTION_UNEXPLAINED" in _codes(doc)


def test_execution_gap_uses_computed_scores_when_claims_are_missing() -> None:
    doc = _doc()
    doc["funds"].update(executed=150, score=None)
    for index in (0, 1, 2, 3, 6):
        doc["indicators"][index]["score"] = None
    assert "EXECUTION_INDICATOR_GAP" in _codes(doc)
    doc = _doc()
    doc["funds"].update(executed=150, score=D("7.5"))
    _row(doc, 0, weight=None)
    assert "EXECUTION_INDICATOR_GAP" in _codes(doc)  # indicator weight from the rule set


def test_indicator_score_mismatch_and_tolerance() -> None:
    assert "INDICATOR_SCORE_MISMATCH" in _codes(_row(_doc(), 1, score=D("14.10")))
    assert "INDICATOR_SCORE_MISMATCH" not in _codes(_row(_doc(), 1, score=D("14.11")))
    assert "INDICATOR_SCORE_MISMATCH" not in _codes(_row(_doc(), 1, score=None))


def test_score_exceeds_weight_and_negative() -> None:
    result = check_table(_row(_doc(), 0, score=-1))
    finding = next(f for f in result.findings if f.code == "SCORE_EXCEEDS_WEIGHT")
    assert finding.indicator == 0 and "小于 0" in finding.message
    doc = _row(_doc(), 4, score=21)
    assert "SCORE_EXCEEDS_WEIGHT" in _codes(doc) and "QUAL_SCORE_OUT_OF_BAND" not in _codes(doc)
    doc = _row(_doc(), 0, weight=None, score=-2)
    assert "SCORE_EXCEEDS_WEIGHT" in _codes(doc)


def test_qualitative_out_of_band() -> None:
    result = check_table(_row(_doc(), 5, score=8))
    finding = next(f for f in result.findings if f.code == "QUAL_SCORE_OUT_OF_BAND")
    assert finding.indicator == 5 and "[6.00, 8.00)" in finding.message
    met = check_table(_row(_doc(), 4, score=15))
    assert "[16.00, 20.00]" in next(f.message for f in met.findings if f.code == "QUAL_SCORE_OUT_OF_BAND")


def test_unparsed_target_and_actual() -> None:
    doc = _row(_doc(), 0, target="90%-95%")
    result = check_table(doc)
    finding = next(f for f in result.findings if f.code == "TARGET_UNPARSED")
    assert finding.severity == "warning" and finding.message.startswith(
        "第1行指标「养护里程」的年度指标值「90%-95%」"
    )
    assert result.indicators[0].counted == D(15)  # the claimed score, within [0, w]
    doc = _row(_doc(), 0, actual="60个")
    result = check_table(doc)
    assert "ACTUAL_UNPARSED" in result.codes
    assert "公里" in next(f.message for f in result.findings if f.code == "ACTUAL_UNPARSED")
    doc = _row(_doc(), 4, actual="基本达成", score=18)
    result = check_table(doc)
    assert "ACTUAL_UNPARSED" in result.codes and result.indicators[4].counted == D(18)
    doc = _row(_doc(), 4, actual="基本达成", score=25)
    assert check_table(doc).indicators[4].counted == 0


def test_overachieved_unexplained() -> None:
    doc = _row(_doc(), 0, actual="160公里")
    finding = next(f for f in check_table(doc).findings if f.code == "OVERACHIEVED_UNEXPLAINED")
    assert finding.severity == "warning" and finding.indicator == 0 and "130%" in finding.message
    doc = _row(_doc(), 0, actual="160公里", note="新增两条线路")
    assert "OVERACHIEVED_UNEXPLAINED" not in _codes(doc)


def test_total_and_grade() -> None:
    assert "TOTAL_MISMATCH" in _codes(_doc(total=D("91.90")))
    assert "TOTAL_MISMATCH" not in _codes(_doc(total=None))
    assert "GRADE_MISMATCH" in _codes(_doc(grade="良"))
    assert "GRADE_MISMATCH" not in _codes(_doc(grade=None))
    no_total = _doc(total=None, grade="良")
    assert "GRADE_MISMATCH" in _codes(no_total)  # graded from the claimed scores' sum


def test_qualitative_without_claim_counts_zero() -> None:
    result = check_table(_row(_doc(), 4, score=None))
    assert result.indicators[4].counted == 0 and result.total == D("73.88")


def test_not_applicable_rescale() -> None:
    doc = _row(_doc(), 6, target="不适用", actual="不适用", score=None)
    doc["total"] = D("91.47")  # (9.20 + 73.12) / (100 − 10) × 100
    result = check_table(doc)
    assert result.indicators[6].result.method == "not_applicable"
    assert result.total == D("91.47") and result.codes == ()
    assert [level.name for level in result.levels] == ["产出指标", "效益指标"]
    doc["total"] = D("82.08")
    result = check_table(doc)
    assert "TOTAL_MISMATCH" in result.codes
    assert "不适用" in next(f.message for f in result.findings if f.code == "TOTAL_MISMATCH")


def test_rule_set_variants() -> None:
    assert "INDICATOR_SCORE_MISMATCH" in _codes(_doc(), "integer-rounding")
    assert check_table(_doc(), "integer-rounding").total == D("92")  # 9 + 15 + 14 + 9 + 10 + 18 + 7 + 10
    assert check_table(_doc(), "vendor-80-70-60").grade == "优"
    doc = _doc()
    doc["funds"]["weight"] = None
    result = check_table(doc, get_rule_set("funds-weight-20"))
    assert result.funds is not None and result.funds.score == D("18.40")
    assert result.rule_set == "funds-weight-20"
    assert all(c.result.rule_set == "funds-weight-20" for c in result.indicators)
    with pytest.raises(UnknownRuleSetError):
        check_table(_doc(), "no-such-rules")


# --- malformed documents ------------------------------------------------------------------------


def _errors(doc: object) -> list[tuple[str, str]]:
    result = check_table(doc)
    assert result.malformed and result.exit_status == 2
    return [(e.key, e.message) for e in result.errors]


def test_missing_keys_name_the_key() -> None:
    doc = _doc()
    del doc["funds"]["annual_budget"]
    assert _errors(doc) == [("funds.annual_budget", '缺少必填字段 "funds.annual_budget"')]
    doc = _doc()
    del doc["funds"]
    assert _errors(doc) == [("funds", '缺少必填字段 "funds"')]
    doc = _doc()
    del doc["indicators"][2]["target"]
    assert _errors(doc) == [("indicators[2].target", '缺少必填字段 "indicators[2].target"')]


def test_optional_keys_may_be_absent() -> None:
    doc = _doc()
    for key in ("amount_unit", "total", "grade", "execution_note"):
        del doc[key]
    result = check_table(doc)
    assert not result.malformed and result.table is not None and result.table.amount_unit == "万元"


def test_wrong_types_list_every_problem() -> None:
    doc = _doc(year="2020", kind="project", amount_unit="美元", grade="A", total="91.88", unit=None)
    doc["indicators"][0]["weight"] = "15"
    doc["indicators"][1] = "x"
    doc["funds"]["executed"] = -1
    doc["funds"]["score"] = True
    errors = dict(_errors(doc))
    assert errors["year"] == '字段 "year" 应为整数，实际为文本'
    assert errors["kind"] == '字段 "kind" 应为 "project_self_eval" 之一，实际为 "project"'
    assert errors["amount_unit"].startswith('字段 "amount_unit" 应为 "元"、"万元" 之一')
    assert errors["grade"].startswith('字段 "grade" 应为 "优"、"良"、"中"、"差" 之一')
    assert errors["total"] == '字段 "total" 应为数值，实际为文本'
    assert errors["unit"] == '字段 "unit" 应为文本，实际为空值(null)'
    assert errors["indicators[0].weight"] == '字段 "indicators[0].weight" 应为数值，实际为文本'
    assert errors["indicators[1]"] == '字段 "indicators[1]" 应为对象，实际为文本'
    assert errors["funds.executed"] == '字段 "funds.executed" 不能小于 0'
    assert errors["funds.score"] == '字段 "funds.score" 应为数值，实际为布尔值'


def test_more_malformed_shapes() -> None:
    assert _errors([1]) == [("", "文档应为 JSON 对象，实际为列表")]
    assert _errors("x") == [("", "文档应为 JSON 对象，实际为str")]
    assert _errors(_doc(indicators={})) == [("indicators", '字段 "indicators" 应为列表，实际为对象')]
    assert _errors(_doc(funds=[])) == [("funds", '字段 "funds" 应为对象，实际为列表')]
    assert _errors(_doc(year=99999)) == [("year", '字段 "year" 应在 1000 到 9999 之间')]
    assert _errors(_doc(total=10**20)) == [("total", '字段 "total" 应为有限数值，且绝对值小于10的15次方')]
    assert _errors(_doc(total=float("inf")))[0][0] == "total"
    assert _errors(_doc(total=D("1e400")))[0][0] == "total"
    doc = _doc()
    doc["indicators"][0]["name"] = 5
    assert _errors(doc) == [("indicators[0].name", '字段 "indicators[0].name" 应为文本，实际为数值')]


def test_tiny_numbers_are_rounded_not_refused() -> None:
    doc = _doc(total=0.1 + 0.2)
    assert not check_table(doc).malformed
    doc = _doc(total=D("1e-30"))
    table = parse_table(doc)
    assert table.total == D("0E-12")


def test_parse_table_gives_typed_table() -> None:
    table = parse_table(load(MEALS))
    assert isinstance(table, SelfEvalTable)
    assert table.year == 2021 and table.amount_unit == "元" and len(table.indicators) == 7
    assert table.indicators[1].label == "第2行指标「供餐合格率」" and table.indicators[1].row == 2
    assert table.funds.annual_budget == 1500000 and not table.has_execution_note
    with pytest.raises(DocumentError) as error:
        parse_table({"kind": "project_self_eval"})
    assert [e.key for e in error.value.errors] == ["year", "unit", "title", "funds", "indicators"]
    assert "缺少必填字段" in str(error.value)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (b'{"kind": ', "JSON 格式错误：第1行第10列，此处应为一个值"),
        (b'{"a": 1} x', "JSON 格式错误：第1行第10列，文档结束后还有多余内容"),
        (b"{'a': 1}", "JSON 格式错误：第1行第2列，此处应为带双引号的字段名"),
        (b'{"a": NaN}', "JSON 格式错误：不允许出现 NaN"),
        (b'{"a": ' + b"9" * 5000 + b"}", "JSON 格式错误：数值位数过多，无法处理"),
        (b"[" * 100000 + b"]" * 100000, "JSON 格式错误：嵌套层数过多"),
        (b"\xff\xfe", "文件不是有效的 UTF-8 编码"),
        (b'{"a": "\x01"}', "JSON 格式错误：第1行第8列，字符串中有非法控制字符"),
        (b'{"a" 1}', "JSON 格式错误：第1行第6列，此处缺少冒号"),
        (b'{"a": 1 "b": 2}', "JSON 格式错误：第1行第9列，此处缺少逗号"),
        (b'{"a": "x', "JSON 格式错误：第1行第7列，字符串没有结束引号"),
        (b'{"a": 1,}', "JSON 格式错误：第1行第9列，此处应为带双引号的字段名"),
        (b'{"a": tru}', "JSON 格式错误：第1行第7列，此处应为一个值"),
        (b'{"a": "\\u12"}', "JSON 格式错误：第1行第9列，无法解析"),
    ],
)
def test_malformed_json(text: bytes, message: str) -> None:
    result = check_json(text)
    assert result.exit_status == 2
    assert [e.message for e in result.errors] == [message]
    assert result.to_dict() == {
        "rule_set": "national-default",
        "errors": [{"key": "", "message": message}],
        "exit_status": 2,
    }


def test_decode_json_accepts_bom() -> None:
    assert decode_json("\ufeff{}") == {}
    assert decode_json(b"\xef\xbb\xbf{}") == {}


# --- report rendering ---------------------------------------------------------------------------


def test_report_texts(rural: dict[str, Any], meals: dict[str, Any]) -> None:
    text = render_report(check_table(rural))
    assert "三、总分 91.88（填报 91.88）" in text and "四、等级 优（填报 优）" in text
    assert "检查结论：未发现问题。" in text and "[16.00, 20.00]" in text and "[6.00, 8.00)" in text
    text = render_report(check_table(meals))
    assert "检查结论：6 个错误，1 个警告。" in text
    assert "[错误] EXEC_SCORE_MISMATCH" in text and "[警告] LOW_EXECUTION_UNEXPLAINED" in text
    assert "未达成年度指标…" in text  # long cells are cut


def test_report_edge_cases() -> None:
    doc = _doc(indicators=[], total=None, grade=None)
    doc["funds"].update(annual_budget=None, executed=None, score=None)
    text = render_report(check_table(doc))
    assert "（无指标）" in text and "无法计算（预算数为零或未填写）" in text and "未填写" in text
    assert "填报 —" in text
    doc = _row(_doc(), 4, actual="基本达成")
    assert "定性区间" in render_report(check_table(doc))
    broken = check_table({})
    assert render_report(broken) == render_errors(broken)
    assert render_errors(broken).startswith("文档格式错误，无法检查：")


def test_table_layout_helpers() -> None:
    assert display_width("ab养护") == 6
    lines = format_table(["名", "x"], [["养护里程", "1"]])
    assert lines == ["名        x", "--------  -", "养护里程  1"]


# --- property: no JSON-ish document crashes the checker ------------------------------------------

JSON_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.decimals(allow_nan=False)
    | st.text(max_size=20)
)
JSONISH = st.recursive(
    JSON_SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)
PATHS = [
    ("kind",),
    ("year",),
    ("unit",),
    ("title",),
    ("amount_unit",),
    ("funds",),
    ("funds", "annual_budget"),
    ("funds", "executed"),
    ("funds", "weight"),
    ("funds", "score"),
    ("indicators",),
    ("indicators", 0),
    ("indicators", 0, "target"),
    ("indicators", 1, "actual"),
    ("indicators", 2, "weight"),
    ("indicators", 3, "score"),
    ("indicators", 4, "actual"),
    ("indicators", 5, "note"),
    ("total",),
    ("grade",),
    ("execution_note",),
]
TEXTS = st.sampled_from(
    ["≥95%", "96%", "12月底前", "11月", "达成年度指标", "不适用", "0", "-5", "", "90%-95%"]
)


def _assert_sound(result: CheckResult) -> None:
    assert result.exit_status in (0, 1, 2)
    json.dumps(result.to_dict(), ensure_ascii=False)
    render_report(result)


@settings(max_examples=300, deadline=None, database=None, derandomize=True)
@given(JSONISH)
def test_no_jsonish_document_crashes_the_checker(doc: object) -> None:
    _assert_sound(check_table(doc))


@settings(
    max_examples=400,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(st.lists(st.tuples(st.sampled_from(PATHS), JSONISH | TEXTS), min_size=1, max_size=4), st.booleans())
def test_no_mutated_example_crashes_the_checker(
    changes: list[tuple[tuple[Any, ...], object]], meals: bool
) -> None:
    doc: Any = load(MEALS if meals else RURAL)
    for path, value in changes:
        holder = doc
        for key in path[:-1]:
            holder = holder[key] if isinstance(holder, dict | list) and _has(holder, key) else None
        if isinstance(holder, dict | list) and _has(holder, path[-1]):
            holder[path[-1]] = value
    _assert_sound(check_table(doc))


def _has(holder: dict[Any, Any] | list[Any], key: Any) -> bool:
    if isinstance(holder, dict):
        return key in holder
    return isinstance(key, int) and key < len(holder)


@pytest.mark.parametrize(
    ("budget", "executed", "rate"), [(D("7.51"), D("7234.50"), "96331.56%"), (100, 109, "109.00%")]
)
def test_execution_above_the_budget_is_an_error(budget: Decimal, executed: Decimal, rate: str) -> None:
    """Issue 10 item 8: 7,234.50 万元 spent of a 7.51 万元 budget (and 109 %) is impossible."""
    doc = _doc()
    doc["funds"].update(annual_budget=budget, executed=executed, score=10)
    result = check_table(doc)
    found = [f for f in result.findings if f.code == "EXECUTION_OVER_BUDGET"]
    assert [f.severity for f in found] == ["error"] and result.exit_status == 1
    assert f"执行率 {rate} 不可能" in found[0].message and "超过全年预算数（调整后）" in found[0].message
    assert result.funds is not None and result.funds.rate_text == rate
    assert f"执行率 {rate}" in render_report(result)
    doc["funds"].update(executed=budget)
    assert "EXECUTION_OVER_BUDGET" not in _codes(doc)


def test_execution_rate_text_and_method_labels_are_the_rules_engines() -> None:
    result = check_table(_doc())
    assert result.funds is not None and result.funds.rate_text == "92.00%"
    assert result.funds.method_label == "执行率比例"
    assert [c.method_label for c in result.indicators][:2] == ["正向比例", "正向比例"]
    doc = _doc()
    doc["funds"].update(annual_budget=None)
    zero = check_table(doc)
    assert zero.funds is not None and zero.funds.rate_text == "—"
    low = _doc()
    low["funds"].update(executed=150, score=D("7.5"))
    message = next(f.message for f in check_table(low).findings if f.code == "LOW_EXECUTION_UNEXPLAINED")
    assert message == "预算执行率 75.00% 低于 90%，但未填写执行率偏低原因"


def test_provisional_total_while_qualitative_rows_are_unscored() -> None:
    """Issue 10 item 10: the scored part, the points still to be judged and the grades they allow."""
    doc = _doc()
    for index in (4, 5):
        doc["indicators"][index]["score"] = None
    p = check_table(doc).provisional
    assert p is not None and not p.complete and p.pending_rows == 2
    assert (p.scored, p.pending, p.low, p.high) == (D("66.88"), D(30), D("88.88"), D("94.88"))
    assert p.grade_range == "良～优" and p.to_dict()["range"] == [88.88, 94.88]
    done = check_table(_doc()).provisional
    assert (
        done is not None
        and done.complete
        and done.low == done.high == D("91.88")
        and done.grade_range == "优"
    )
    unread = _row(_doc(), 4, score=None, actual="说不清")  # no band: anything in [0, w]
    q = check_table(unread).provisional
    assert q is not None and (q.low, q.high) == (D("73.88"), D("93.88")) and q.grade_range == "中～优"
