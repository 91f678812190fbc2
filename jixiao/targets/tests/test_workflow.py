from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from jixiao.core.locking import StaleEdit
from jixiao.targets.models import TargetDeclaration
from jixiao.targets.services import TargetError, approve_project_budget, compare_versions, start_adjustment
from jixiao.workflow.engine import WorkflowError, perform_transition
from jixiao.workflow.models import ReviewLog

pytestmark = pytest.mark.django_db


def to_finance(d: TargetDeclaration, users: dict[str, Any]) -> None:
    perform_transition(d, "submit", users["unit_filler"])
    perform_transition(d, "dept_approve", users["unit_approver"], comment="同意报送")


def test_submission_is_refused_while_automatic_checks_find_errors(declaration: TargetDeclaration, users: dict[str, Any]) -> None:
    declaration.indicators.filter(name="沿线群众满意度").update(value="较高")
    with pytest.raises(WorkflowError, match=r"自动审核发现1处错误.*沿线群众满意度"):
        perform_transition(declaration, "submit", users["unit_filler"])
    declaration.indicators.filter(name="沿线群众满意度").update(value="90")
    perform_transition(declaration, "submit", users["unit_filler"])


def test_middle_grade_returns_with_reasons_and_the_unit_revises(declaration: TargetDeclaration, users: dict[str, Any], login: Any) -> None:
    to_finance(declaration, users)
    with pytest.raises(WorkflowError, match="必须填写意见"):
        perform_transition(declaration, "return", users["budget_desk"], grade="中")
    perform_transition(declaration, "return", users["budget_desk"], comment="质量指标偏低，请按行业标准调高", grade="中")
    declaration.refresh_from_db()
    assert declaration.state == "returned" and declaration.review_grade == "中"
    page = login(users["unit_filler"]).get(reverse("targets:declaration_detail", kwargs={"pk": declaration.pk}))
    html = page.content.decode()
    assert "质量指标偏低" in html and "已退回修改" in html and "填报 / 修改" in html
    perform_transition(declaration, "submit", users["unit_filler"])  # resubmitted after revision


def test_poor_grade_rejects_and_the_budget_cannot_be_approved(declaration: TargetDeclaration, users: dict[str, Any], org: Any) -> None:
    to_finance(declaration, users)
    perform_transition(declaration, "reject", users["perf_section"], comment="立项依据不充分", grade="差")
    declaration.refresh_from_db()
    assert declaration.state == "rejected"
    with pytest.raises(TargetError, match="尚未批复（当前：未通过"):
        approve_project_budget(org["projects"]["a_sub"], users["budget_desk"])
    with pytest.raises(TargetError, match="未填报"):
        approve_project_budget(org["projects"]["a"], users["budget_desk"])


def test_approval_freezes_the_version_and_allows_the_budget(declaration: TargetDeclaration, users: dict[str, Any], org: Any, login: Any) -> None:
    to_finance(declaration, users)
    perform_transition(declaration, "approve", users["budget_desk"], comment="目标明确", grade="良")
    declaration.refresh_from_db()
    assert declaration.state == "approved" and declaration.approved_at is not None
    edit = login(users["unit_filler"]).get(reverse("targets:declaration_edit", kwargs={"pk": declaration.pk}))
    assert edit.status_code == 404  # frozen: no edit form any more
    project = approve_project_budget(org["projects"]["a_sub"], users["budget_desk"])
    assert project.budget_approved_at is not None
    log = [x.transition for x in ReviewLog.for_document(declaration)]
    assert log == ["submit", "dept_approve", "approve"]


def test_publication_snapshot_is_frozen_and_classified_items_stay_private(declaration: TargetDeclaration, users: dict[str, Any], org: Any) -> None:
    to_finance(declaration, users)
    perform_transition(declaration, "approve", users["perf_section"], grade="优")
    perform_transition(declaration, "publish", users["perf_section"])
    declaration.refresh_from_db()
    assert declaration.public_snapshot["indicators"][0]["name"] == "养护里程" and len(declaration.snapshot_hash) == 64
    secret = org["projects"]["a"]
    secret.is_classified = True
    secret.save()
    from jixiao.targets.services import open_project_declaration
    from jixiao.targets.tests.conftest import fill

    d2 = fill(open_project_declaration(secret, users["unit_approver"]))
    perform_transition(d2, "submit", users["unit_approver"])
    perform_transition(d2, "dept_approve", users["unit_approver"])
    perform_transition(d2, "approve", users["perf_section"], grade="优")
    with pytest.raises(WorkflowError, match="涉密"):
        perform_transition(d2, "publish", users["perf_section"])


def test_adjustment_creates_v2_through_the_same_review_with_a_diff(declaration: TargetDeclaration, users: dict[str, Any], login: Any) -> None:
    to_finance(declaration, users)
    perform_transition(declaration, "approve", users["perf_section"], grade="优")
    with pytest.raises(TargetError, match="调整原因"):
        start_adjustment(declaration, users["unit_filler"], "")
    v2 = start_adjustment(declaration, users["unit_filler"], "受汛期影响，养护里程调减")
    assert v2.version == 2 and v2.state == "draft" and not v2.is_current
    with pytest.raises(TargetError, match="已有调整版本"):
        start_adjustment(declaration, users["unit_filler"], "再次调整")
    v2.indicators.filter(name="养护里程").update(value="100")
    v2.indicators.filter(name="沿线群众满意度").delete()
    v2.indicators.create(level1="满意度指标", level2="服务对象满意度指标", name="群众满意度", comparison=">=",
                         value="88", unit="%", weight=10)
    changes = {c.what: (c.before, c.after) for c in compare_versions(declaration, v2)}
    assert changes["指标「养护里程」（产出指标/数量指标）"] == ("≥ 120公里，权重20", "≥ 100公里，权重20")
    assert changes["指标「沿线群众满意度」（满意度指标/服务对象满意度指标）"][1] == "（无）"
    assert changes["指标「群众满意度」（满意度指标/服务对象满意度指标）"][0] == "（无）"
    # Monitoring and evaluation keep reading v1 until v2 is approved.
    assert TargetDeclaration.objects.current().get(project=declaration.project) == declaration
    to_finance(v2, users)
    perform_transition(v2, "approve", users["perf_section"], grade="良")
    declaration.refresh_from_db()
    assert declaration.state == "superseded" and not declaration.is_current
    assert TargetDeclaration.objects.current().get(project=declaration.project).pk == v2.pk
    page = login(users["perf_section"]).get(reverse("targets:compare", kwargs={"pk": v2.pk, "other": declaration.pk}))
    assert "≥ 100公里" in page.content.decode()


def test_stale_edit_of_a_declaration_is_refused(declaration: TargetDeclaration, users: dict[str, Any], login: Any) -> None:
    url = reverse("targets:declaration_edit", kwargs={"pk": declaration.pk})
    first, second = login(users["unit_filler"]), login(users["unit_approver"])
    form = first.get(url).context
    data = {"annual_goal": "第一次修改后的年度目标：完成养护120公里。", "long_term_goal": declaration.long_term_goal,
            "lock_version": declaration.lock_version, **management(form)}
    assert first.post(url, data).status_code == 302
    response = second.post(url, {**data, "annual_goal": "第二人的修改"})
    assert response.status_code == 409 and "已被他人修改并保存" in response.content.decode()
    declaration.refresh_from_db()
    assert declaration.annual_goal.startswith("第一次修改")
    with pytest.raises(StaleEdit):
        perform_transition(declaration, "submit", users["unit_filler"], expected_version=0)


def management(context: Any) -> dict[str, Any]:
    """The formsets' current rows as POST data (what the browser sends back unchanged)."""
    data: dict[str, Any] = {}
    for formset in (context["indicators"],):
        data[f"{formset.prefix}-TOTAL_FORMS"] = len(formset.forms)
        data[f"{formset.prefix}-INITIAL_FORMS"] = formset.initial_form_count()
        for form in formset.forms:
            for name, field in form.fields.items():
                value = form.initial.get(name, field.initial)
                if value is not None and name != "DELETE":
                    data[form.add_prefix(name)] = getattr(value, "pk", value)
    return data


def test_home_pages_show_what_waits_for_each_role(declaration: TargetDeclaration, users: dict[str, Any], login: Any) -> None:
    import time_machine

    with time_machine.travel("2021-03-10 09:00 +0800", tick=False):
        html = login(users["unit_filler"]).get("/").content.decode()
        assert "南山所项目2021年度项目支出预算绩效目标申报表" in html and "填报中" in html  # due by 4/15
        perform_transition(declaration, "submit", users["unit_filler"])
        assert "待主管部门审核的绩效目标</a>：1 件" in login(users["unit_approver"]).get("/").content.decode()
        perform_transition(declaration, "dept_approve", users["unit_approver"])
        assert "待财政审核的绩效目标</a>：1 件" in login(users["budget_desk"]).get("/").content.decode()
        assert "待财政审核" not in login(users["unit_approver"]).get("/").content.decode().split("待我审核")[1].split("我的到期事项")[0]


def test_overdue_forms_are_listed_after_the_window(declaration: TargetDeclaration, users: dict[str, Any], login: Any) -> None:
    import time_machine

    url = reverse("targets:declaration_list") + "?year=2021&overdue=on"
    with time_machine.travel("2021-04-10 09:00 +0800", tick=False):
        assert "南山所项目" not in login(users["perf_section"]).get(url).content.decode()  # window still open
    with time_machine.travel("2021-04-16 09:00 +0800", tick=False):
        assert "南山所项目" in login(users["perf_section"]).get(url).content.decode()
    with time_machine.travel("2021-04-16 09:00 +0800", tick=False):
        html = login(users["unit_approver"]).get(reverse("targets:missing") + "?year=2021").content.decode()
    assert "申报期已截止，以下 1 个项目逾期未填报" in html and "东湖局项目" in html


def test_completeness_counts_per_unit(declaration: TargetDeclaration, users: dict[str, Any], org: Any, login: Any) -> None:
    to_finance(declaration, users)
    perform_transition(declaration, "approve", users["perf_section"], grade="优")
    approve_project_budget(org["projects"]["a_sub"], users["perf_section"])
    page = login(users["perf_section"]).get(reverse("targets:completeness") + "?year=2021")
    rows = {r["unit"].name: r for r in page.context["rows"]}
    assert rows["南山所"] == rows["南山所"] | {"projects": 1, "declared": 1, "approved": 1, "lacking": 0, "budget": 1}
    assert rows["东湖局"]["lacking"] == 1 and rows["西岭局"]["declared"] == 0
    assert page.context["totals"] == {"projects": 3, "declared": 1, "approved": 1, "lacking": 2, "rejected": 0, "budget": 1}
    # The first-level approver sees its own tree only.
    mine = login(users["unit_approver"]).get(reverse("targets:completeness") + "?year=2021").context["rows"]
    assert sorted(r["unit"].name for r in mine) == ["东湖局", "南山所"]


def test_budget_approval_is_done_once_from_a_current_page_and_never_redirects_off_site(
        declaration: TargetDeclaration, users: dict[str, Any], org: Any, login: Any) -> None:
    """Issue 17 items 8 and 9: a re-POST does not overwrite 批复时间; ``next=//evil.example`` stays home."""
    to_finance(declaration, users)
    perform_transition(declaration, "approve", users["budget_desk"], comment="目标明确", grade="良")
    project = org["projects"]["a_sub"]
    project.refresh_from_db()
    url = reverse("targets:approve_budget", kwargs={"pk": project.pk})
    client = login(users["budget_desk"])
    page = client.get(reverse("targets:declaration_detail", kwargs={"pk": declaration.pk})).content.decode()
    assert f'name="lock_version" value="{project.lock_version}"' in page
    stale = client.post(url, {"lock_version": project.lock_version - 1 if project.lock_version else 99}, follow=True)
    assert "该表单已被他人修改并保存" in stale.content.decode()
    project.refresh_from_db()
    assert project.budget_approved_at is None
    response = client.post(url, {"lock_version": project.lock_version, "next": "//evil.example/phish"})
    assert response.status_code == 302 and response["Location"] == reverse("organisation:project_detail",
                                                                           kwargs={"pk": project.pk})
    project.refresh_from_db()
    approved_at = project.budget_approved_at
    assert approved_at is not None
    again = client.post(url, {"lock_version": project.lock_version, "next": "/targets/"}, follow=True)
    assert again.redirect_chain[-1][0] == "/targets/"
    assert "的预算已于" in again.content.decode() and "未重复批复" in again.content.decode()
    project.refresh_from_db()
    assert project.budget_approved_at == approved_at
    assert project.history.filter(history_change_reason__startswith="批复预算").count() == 1


def test_completeness_is_counted_in_sql_and_paginated(declaration: TargetDeclaration, users: dict[str, Any], org: Any,
                                                     login: Any, django_assert_max_num_queries: Any) -> None:
    """Issue 15 item 2: the page lists 100 units at a time; totals, sectors and the unit count come from
    grouped SQL and equal the per-unit rows summed; the query count does not grow with the units."""
    from jixiao.organisation.models import BudgetUnit, Project
    from jixiao.targets.services import completeness_rows

    edu = org["sectors"]["edu"]
    units = BudgetUnit.objects.bulk_create(BudgetUnit(code=f"97{i:03d}", name=f"测试单位{i}", sector=edu) for i in range(120))
    Project.objects.bulk_create(Project(year=2021, code=f"Q-{i}", name=f"项目{i}", unit=u, sector=edu, initial_budget_fen=1,
                                        adjusted_budget_fen=1) for i, u in enumerate(units))
    client = login(users["perf_section"])
    with django_assert_max_num_queries(16):
        first = client.get(reverse("targets:completeness") + "?year=2021")
    second = client.get(reverse("targets:completeness") + "?year=2021&page=2")
    assert len(first.context["rows"]) == 100 and len(second.context["rows"]) == 23
    assert first.context["page"].paginator.count == 123
    every = completeness_rows(2021, users["perf_section"])
    assert [r["unit"].code for r in every] == [r["unit"].code for r in [*first.context["rows"], *second.context["rows"]]]
    assert first.context["totals"] == {k: sum(r[k] for r in every)
                                       for k in ("projects", "declared", "approved", "lacking", "rejected", "budget")}
    sectors = dict(first.context["by_sector"])
    assert sectors["教育"]["projects"] == sum(r["projects"] for r in every if r["unit"].sector.name == "教育")
