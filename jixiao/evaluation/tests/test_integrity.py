"""Issue 10 items 6, 8, 9, 10, 12, 13: numbers that are true and words that are Chinese."""

from __future__ import annotations

import io
import re
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse
from docx import Document

from jixiao.evaluation.models import EvaluationYear, SelfEvaluation
from jixiao.evaluation.services import refresh_scores, selfeval_document, submission_problems
from jixiao.evaluation.tests.conftest import fill
from jixiao.evaluation.tests.test_selfeval import form_data
from jixiao.rules.checker import check_table
from jixiao.rules.report import render_report

pytestmark = pytest.mark.django_db


def _docx_text(content: bytes) -> str:
    return "\n".join(p.text for p in Document(io.BytesIO(content)).paragraphs)


def test_summary_scores_only_accepted_tables_and_states_the_counts(selfevals: Any, users: Any, login: Any) -> None:
    """Item 6: drafts and returned tables neither drag the average down nor count as 差."""
    accepted = fill(selfevals["a_sub"])
    SelfEvaluation.objects.filter(pk=accepted.pk).update(state="received")
    submitted = fill(selfevals["b"])
    SelfEvaluation.objects.filter(pk=submitted.pk).update(state="submitted")
    draft = selfevals["a"]
    refresh_scores(draft)
    draft.refresh_from_db()
    assert draft.computed_grade == "差"  # an untouched table computes to 差 …
    client = login(users["perf_section"])
    page = client.get(reverse("evaluation:summary") + "?year=2021").content.decode()
    assert re.search(r'id="count-issued">3 项', page) and re.search(r'id="count-submitted">2 项', page)
    assert re.search(r'id="count-accepted">1 项', page) and re.search(r'id="count-overdue">1 项', page)
    assert 'id="average">91.88 分' in page
    grades = re.search(r"自评等级分布.*?<tbody><tr>(.*?)</tr>", page, re.S).group(1)  # type: ignore[union-attr]
    assert re.findall(r">(\d+)<", grades) == ["1", "0", "0", "0"]  # … but is not counted as one
    text = _docx_text(client.get(reverse("evaluation:summary_docx") + "?year=2021").content)
    assert "已下达 3 项，已提交 2 项，财政已接收 1 项，逾期未报 1 项" in text
    assert "财政已接收的 1 项平均得分 91.88 分" in text
    listing = client.get(reverse("evaluation:selfeval_list") + "?year=2021").content.decode()
    row = re.search(rf'<tr[^>]*>(?:(?!</tr>).)*{re.escape(draft.subject)}(?:(?!</tr>).)*</tr>', listing, re.S)
    assert row and "未填报" in row.group(0) and ">0.00<" not in row.group(0) and ">差<" not in row.group(0)


def test_summary_without_accepted_tables_has_no_average(selfevals: Any, users: Any, login: Any) -> None:
    page = login(users["perf_section"]).get(reverse("evaluation:summary") + "?year=2021").content.decode()
    assert 'id="average">尚无财政已接收的自评表' in page and "0.00" not in page


def test_execution_above_the_budget_is_an_error_with_one_rate_on_page_and_cli(
    selfevals: Any, users: Any, login: Any
) -> None:
    """Item 8: 7,234.50 万元 against a 50 万元 budget; the page, the CLI report and the message agree."""
    se = selfevals["a_sub"]
    client = login(users["unit_filler"])
    client.post(reverse("evaluation:selfeval_edit", kwargs={"pk": se.pk}), form_data(se, executed_fen="7234.50"))
    se.refresh_from_db()
    assert se.executed_fen == 7_234_500_000 and se.error_count >= 1
    page = client.get(reverse("evaluation:selfeval_detail", kwargs={"pk": se.pk})).content.decode()
    result = check_table(selfeval_document(se), se.rule_set)
    assert result.funds is not None and result.funds.rate_text == "14469.00%"
    assert "执行率 14469.00%）" in page and "执行率 14469.00% 不可能" in page
    assert "执行率 14469.00%" in render_report(result)
    assert any("超过全年预算数（调整后）" in p for p in submission_problems(se))


def test_sample_rule_is_a_form_and_shown_in_words(selfevals: Any, users: Any, login: Any) -> None:
    """Item 12: the re-check sample rule is edited in fields and read as a sentence, never as JSON."""
    year = EvaluationYear.for_year(2021)
    client = login(users["perf_section"])
    form = client.get(reverse("evaluation:settings_edit", kwargs={"pk": year.pk})).content.decode()
    visible = re.sub(r"<script.*?</script>|<[^>]+>", " ", form, flags=re.S)
    assert "JSON" not in visible and "always_from_wan" not in visible and "预算达到（万元）以上必抽" in visible
    data = {"lock_version": str(year.lock_version), "rule_set": "national-default", "conflict_years": "3",
            "always_from_wan": "200", "always_grades": ["优", "良"], "always_sectors": ["教育"],
            "random_share": "15", "random_minimum": "2"}
    response = client.post(reverse("evaluation:settings_edit", kwargs={"pk": year.pk}), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    year.refresh_from_db()
    assert year.sample_rule == {"random_share": 0.15, "random_minimum": 2, "always_from_wan": 200.0,
                                "always_grades": ["优", "良"], "always_sectors": ["教育"]}
    listing = client.get(reverse("evaluation:settings_list")).content.decode()
    assert "200万元以上必抽；等级为优、良的必抽；教育行业必抽；随机抽取其余的15%（至少2项）" in listing
    assert "全国默认规则" in listing and "national-default" not in listing
    bad = client.post(reverse("evaluation:settings_edit", kwargs={"pk": year.pk}), data | {"random_share": "150"})
    assert bad.status_code != 302 and "随机抽取比例" in bad.content.decode() and 'value="200' in bad.content.decode()
    assert Decimal(str(year.sample_rule["random_share"])) == Decimal("0.15")


def _filled_json(client: Any, se: SelfEvaluation) -> dict[str, Any]:
    import json

    from jixiao.evaluation.tests.conftest import ACTUALS, SCORES

    doc = json.loads(client.get(reverse("evaluation:selfeval_json", kwargs={"pk": se.pk})).content)
    doc["funds"] |= {"executed": 46, "score": 9.2}
    for row, actual, score in zip(doc["indicators"], ACTUALS, SCORES, strict=True):
        row["actual"], row["score"] = actual, float(score)
    doc["indicators"][1]["note"] = "雨季施工期缩短"
    return doc | {"total": 91.88, "grade": "优"}


def test_uploaded_weights_are_checked_as_the_cli_checks_the_same_file(selfevals: Any, users: Any, login: Any) -> None:
    """Item 9: weights adding to 110 are refused on the page exactly as `jixiao selfeval check` reports
    them, and each weight differing from the approved target's is an error naming the row."""
    import json

    from django.core.files.uploadedfile import SimpleUploadedFile

    from jixiao.rules.checker import check_json

    se, client = selfevals["a_sub"], login(users["unit_filler"])
    doc = _filled_json(client, se)
    doc["indicators"][0]["weight"] = 25  # 养护里程: approved 15
    content = json.dumps(doc, ensure_ascii=False).encode()
    cli = check_json(content, se.rule_set)
    assert "WEIGHTS_TOTAL" in cli.codes
    refused = client.post(reverse("evaluation:selfeval_upload"), {"file": SimpleUploadedFile("t.json", content)})
    html = refused.content.decode()
    assert refused.status_code == 400 and "系统检查未发现错误" not in html
    for finding in cli.findings:
        assert finding.message.replace("“", "&ldquo;") in html or finding.message in html.replace("&quot;", '"')
    assert "第1行指标「养护里程」的分值 25 与批复的绩效目标的分值 15 不一致" in html
    assert not SelfEvaluation.objects.get(pk=se.pk).indicators.exclude(actual="").exists()


def test_uploaded_workbook_weight_differing_from_the_target_is_an_error(selfevals: Any, users: Any, login: Any) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile
    from openpyxl import load_workbook

    from jixiao.evaluation.tests.conftest import ACTUALS, SCORES

    client = login(users["unit_filler"])
    wb = load_workbook(io.BytesIO(client.get(reverse("evaluation:selfeval_template")).content))
    ws = wb[wb.sheetnames[0]]
    ws["D5"], ws["G5"] = 46, 9.2
    for n, (actual, score) in enumerate(zip(ACTUALS, SCORES, strict=True)):
        ws.cell(row=10 + n, column=5).value, ws.cell(row=10 + n, column=7).value = actual, float(score)
    ws.cell(row=11, column=8).value = "雨季施工期缩短"
    ws.cell(row=12, column=6).value = 20  # 按期完成率: approved 10
    buf = io.BytesIO()
    wb.save(buf)
    refused = client.post(reverse("evaluation:selfeval_upload"), {"file": SimpleUploadedFile("t.xlsx", buf.getvalue())})
    html = refused.content.decode()
    assert refused.status_code == 400 and "第3行指标「按期完成率」的分值 20 与批复的绩效目标的分值 10 不一致" in html
    assert "资金分值与各指标分值合计为 110，应为 100" in html


def test_live_total_shows_the_scored_part_the_open_points_and_the_grade_range(
    selfevals: Any, users: Any, login: Any
) -> None:
    """Item 10: with the two qualitative rows not yet scored the page does not pretend 66.88 中."""
    se, client = selfevals["a_sub"], login(users["unit_filler"])
    url = reverse("evaluation:selfeval_preview", kwargs={"pk": se.pk})
    html = client.post(url, form_data(se, **{"row-4-score": "", "row-5-score": ""})).content.decode()
    assert "当前已评定部分 <strong>66.88</strong> 分；尚有 2 项指标（分值合计 30.00 分）待评定" in html
    assert "总分将在 <strong>88.88～94.88</strong> 分之间，等级可能为「良～优」" in html
    done = client.post(url, form_data(se)).content.decode()
    assert 'id="provisional"' not in done and 'data-total="91.88"' in done


def test_template_holds_this_years_fillable_tables_named_by_code_and_an_untouched_sheet_never_blocks(
    selfevals: Any, users: Any, login: Any
) -> None:
    """Item 13: no old returned tables bundled in; sheets named 「code name」; only filled sheets import."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from openpyxl import load_workbook

    from jixiao.evaluation.tests.conftest import ACTUALS, SCORES

    old = selfevals["a"]
    SelfEvaluation.objects.filter(pk=old.pk).update(year=2020, state="returned")  # last year's, sent back
    client = login(users["unit_approver"])
    wb = load_workbook(io.BytesIO(client.get(reverse("evaluation:selfeval_template")).content))
    se = selfevals["a_sub"]
    assert wb.sheetnames == ["P-901001 南山所项目"]
    two = SelfEvaluation.objects.filter(pk=old.pk).update(year=2021, state="draft")
    assert two == 1
    wb = load_workbook(io.BytesIO(client.get(reverse("evaluation:selfeval_template") + "?year=2021").content))
    assert wb.sheetnames == ["P-901 东湖局项目", "P-901001 南山所项目"]
    ws = wb["P-901001 南山所项目"]
    ws["D5"], ws["G5"] = 46, 9.2
    for n, (actual, score) in enumerate(zip(ACTUALS, SCORES, strict=True)):
        ws.cell(row=10 + n, column=5).value, ws.cell(row=10 + n, column=7).value = actual, float(score)
    ws.cell(row=11, column=8).value = "雨季施工期缩短"
    buf = io.BytesIO()
    wb.save(buf)
    response = client.post(reverse("evaluation:selfeval_upload"), {"file": SimpleUploadedFile("t.xlsx", buf.getvalue())},
                           follow=True)
    assert "已导入 1 张自评表" in response.content.decode()
    se.refresh_from_db()
    assert se.computed_total == Decimal("91.88")
    assert SelfEvaluation.objects.get(pk=old.pk).lock_version == 0  # the untouched table was not written
