"""Publications: frozen, versioned, immutable; 涉密 refused; corrections keep old versions; withdrawal."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from jixiao.disclosure.models import Publication, PublicationVersion
from jixiao.disclosure.services import PublicationError, correct, publish_record, record_posting, withdraw
from jixiao.disclosure.tests.conftest import key_evaluation
from jixiao.evaluation.tests.conftest import approved_target
from jixiao.targets.services import start_adjustment
from jixiao.workflow.engine import WorkflowError, perform_transition

pytestmark = pytest.mark.django_db


def test_publishing_makes_one_frozen_version_with_digest_author_and_time(published: dict[str, Any], users: Any) -> None:
    d = published["targets"]["a_sub"]
    d.refresh_from_db()
    pub = Publication.objects.get(subject_key=f"target:project:{d.project_id}")
    v1 = pub.current()
    assert (pub.current_number, v1.number, v1.published_by, v1.correction_note) == (1, 1, users["perf_section"], "")
    assert d.state == "published" and d.snapshot_hash == v1.sha256 and d.public_snapshot == v1.content
    assert v1.content["project_code"] == "P-901001" and v1.content["budget_fen"] == 50_000_000
    with pytest.raises(PermissionError):
        v1.save()
    with pytest.raises(PermissionError):
        PublicationVersion.objects.filter(pk=v1.pk).update(correction_note="x")
    with pytest.raises(PermissionError):
        v1.delete()


def test_never_public_fields_stay_out(published: dict[str, Any]) -> None:
    se = Publication.objects.get(kind="selfeval").current().content
    key = Publication.objects.get(kind="key").current().content
    for content in (se, key):
        text = str(content)
        assert "13900000000" not in text and "内部反馈意见" not in text and "内部初稿" not in text
    assert key["rectifications"][0]["status"] == "待整改"


def test_classified_records_are_refused(published: dict[str, Any], org: Any, users: Any) -> None:
    secret = published["targets"]["b"]
    secret.review_grade = "优"
    secret.save()
    with pytest.raises(WorkflowError, match="涉密"):
        perform_transition(secret, "publish", users["perf_section"])
    with pytest.raises(PublicationError, match="涉密"):
        publish_record(secret, users["perf_section"])
    ke = key_evaluation(org["units"]["b"], org["projects"]["b"], "涉密评价")
    with pytest.raises(PublicationError, match="涉密"):
        publish_record(ke, users["perf_section"])
    assert not Publication.objects.filter(unit=org["units"]["b"]).exists()


def test_an_approved_adjustment_publishes_version_2_and_keeps_version_1(published: dict[str, Any], users: Any, client: Any) -> None:
    v1_decl = published["targets"]["a_sub"]
    v1_decl.refresh_from_db()
    v2 = start_adjustment(v1_decl, users["unit_filler"], "受汛期影响，养护里程调减。")
    v2.indicators.filter(name="养护里程").update(value="100")
    perform_transition(v2, "submit", users["unit_filler"])
    perform_transition(v2, "dept_approve", users["unit_approver"])
    perform_transition(v2, "approve", users["perf_section"], grade="良")
    perform_transition(v2, "publish", users["perf_section"])
    pub = Publication.objects.get(subject_key=f"target:project:{v1_decl.project_id}")
    old, new = pub.versions.order_by("number")
    assert pub.current_number == 2 and "受汛期影响" in new.correction_note
    assert [i["value"] for i in old.content["indicators"] if i["name"] == "养护里程"] == ["120"]
    assert [i["value"] for i in new.content["indicators"] if i["name"] == "养护里程"] == ["100"]
    page = client.get(reverse("gongkai:publication", kwargs={"pk": pub.pk})).content.decode()
    assert "更正说明" in page and "受汛期影响" in page and "第1版" in page
    old_page = client.get(reverse("gongkai:version", kwargs={"pk": pub.pk, "number": 1})).content.decode()
    assert "已被更正" in old_page and "&gt;=120公里" in old_page


def test_editing_a_published_record_and_correcting_makes_a_new_version(published: dict[str, Any], users: Any, client: Any) -> None:
    se = published["selfeval"]
    pub = Publication.objects.get(kind="selfeval")
    with pytest.raises(PublicationError, match="相同"):
        correct(pub, users["perf_section"], "无变化")
    se.report_problems = "更正后的问题分析：支付进度偏慢。"
    se.save()
    with pytest.raises(PublicationError, match="更正说明"):
        correct(pub, users["perf_section"], "  ")
    version = correct(pub, users["perf_section"], "补充问题分析")
    pub.refresh_from_db()
    assert version.number == pub.current_number == 2
    assert pub.versions.get(number=1).content["report"]["report_problems"] == ""
    se.refresh_from_db()
    assert se.snapshot_hash == version.sha256
    assert "更正后的问题分析" in client.get(reverse("gongkai:publication", kwargs={"pk": pub.pk})).content.decode()
    assert "更正后的问题分析" not in client.get(reverse("gongkai:version", kwargs={"pk": pub.pk, "number": 1})).content.decode()
    assert pub.history.count() >= 2  # the audit trail of the change


def test_withdrawal_needs_the_performance_section_and_a_reason_and_leaves_a_notice(published: dict[str, Any], users: Any, client: Any) -> None:
    pub = Publication.objects.get(kind="key")
    with pytest.raises(PublicationError, match="绩效管理股"):
        withdraw(pub, users["unit_approver"], "错误")
    with pytest.raises(PublicationError, match="撤回原因"):
        withdraw(pub, users["perf_section"], "")
    withdraw(pub, users["perf_section"], "报告数据有误，核实后重新公开")
    page = client.get(reverse("gongkai:publication", kwargs={"pk": pub.pk})).content.decode()
    assert "撤回公告" in page and "报告数据有误" in page and "资金管理总体规范" not in page
    download = client.get(reverse("gongkai:download", kwargs={"pk": pub.pk, "number": 1, "name": "data.csv"}))
    assert download.status_code == 404
    assert pub.history.filter(history_change_reason__startswith="撤回").exists()


def test_where_else_it_was_published(published: dict[str, Any], users: Any) -> None:
    from datetime import date

    from django.core.exceptions import ValidationError

    pub = Publication.objects.get(kind="selfeval")
    posting = record_posting(pub, users["unit_approver"], "department", "https://www.yxq.gov.cn/jyj/zfxxgk/1.html",
                             date(2022, 7, 10))
    assert posting.get_site_display() == "部门门户网站"
    with pytest.raises(ValidationError):
        record_posting(pub, users["unit_approver"], "department", "不是网址", date(2022, 7, 10))


def test_internal_pages_for_the_performance_section(published: dict[str, Any], users: Any, login: Any) -> None:
    perf = login(users["perf_section"])
    pub = Publication.objects.get(kind="selfeval")
    assert "公开信息" in perf.get(reverse("disclosure:publication_list")).content.decode()
    page = perf.get(reverse("disclosure:publication_detail", kwargs={"pk": pub.pk})).content.decode()
    assert "更正（公开新版本）" in page and "撤回" in page
    bad = perf.post(reverse("disclosure:withdraw", kwargs={"pk": pub.pk}), {"reason": ""})
    assert bad.status_code == 400 and "errorlist" in bad.content.decode()
    ok = perf.post(reverse("disclosure:posting", kwargs={"pk": pub.pk}),
                   {"site": "finance", "url": "https://czj.yxq.gov.cn/x.html", "posted_on": "2022-07-12"})
    assert ok.status_code == 302 and pub.postings.count() == 1
    unit = login(users["unit_approver"])
    assert unit.post(reverse("disclosure:withdraw", kwargs={"pk": pub.pk}), {"reason": "x"}).status_code == 403


def test_a_target_not_yet_approved_cannot_be_published(org: Any, users: Any) -> None:
    d = approved_target(org["projects"]["a"], state="dept_approved")
    with pytest.raises(WorkflowError):
        perform_transition(d, "publish", users["perf_section"])
    assert not Publication.objects.exists()
