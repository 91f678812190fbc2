"""Self-evaluation tables received as files (issue 18): the upload page of re-check agencies, the
performance section and 人大 readers; agencies see only their own agency's uploads."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from jixiao.evaluation.models import Agency, TableUpload
from jixiao.rules.tests.conftest import MEALS, RURAL
from jixiao.rules.tests.conftest import load_plain as plain
from jixiao.rules.tests.test_overall import s24_sheet
from jixiao.tablefiles.tests.builders import docx_bytes, sheet_xlsx_bytes, xlsx_bytes

pytestmark = pytest.mark.django_db

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"



@pytest.fixture
def agencies(users: dict[str, Any]) -> dict[str, Agency]:
    mine = Agency.objects.create(name="湖南测试会计师事务所")
    mine.members.add(users["agency"])
    other = Agency.objects.create(name="其他评价机构")
    return {"mine": mine, "other": other}


def upload(client: Any, name: str, data: bytes) -> Any:
    return client.post(reverse("evaluation:table_upload"), {"file": SimpleUploadedFile(name, data, content_type=DOCX)})


def test_agency_drops_a_word_table_and_gets_it_checked(users: Any, login: Any, agencies: Any) -> None:
    client = login(users["agency"])
    response = upload(client, "农村公路养护自评表.docx", docx_bytes(plain(MEALS), unit_column=True))
    saved = TableUpload.objects.get()
    assert response.status_code == 302 and response["Location"] == saved.get_absolute_url()
    assert saved.agency == agencies["mine"] and saved.uploaded_by == users["agency"]
    assert saved.document == plain(MEALS) and saved.error_count == 6 and saved.warning_count == 1
    page = client.get(saved.get_absolute_url()).content.decode()
    assert "农村义务教育学生营养餐补助" in page and "≤5元/人·天" in page
    assert "资金得分填报为 10，按预算执行率 70.00%、分值 10 计算应为 7.00" in page
    assert "等于（按正向）" in page and "equal_ratio" not in page and "EXEC_SCORE_MISMATCH" not in page
    listing = client.get(reverse("evaluation:table_list")).content.decode()
    assert "农村公路养护自评表.docx" in listing and "湖南测试会计师事务所" in listing


def test_hubei_table_is_checked_under_its_convention(users: Any, login: Any, agencies: Any) -> None:
    doc = plain(RURAL)
    doc["funds"].update(weight=20, score=18.4)
    for row in doc["indicators"]:
        row["score"] = None
    doc["total"] = doc["grade"] = None
    client = login(users["perf_section"])
    response = upload(client, "湖北.xlsx", xlsx_bytes(doc, hide_weights=True))
    saved = TableUpload.objects.get()
    assert saved.agency is None and saved.convention == "本表资金执行率分值为20分，按湖北省口径检查"
    page = client.get(response["Location"]).content.decode()
    assert "本表资金执行率分值为20分，按湖北省口径检查" in page
    assert "无法计算（有指标未印分值或未填得分）" in page and "等级：不评定" in page
    assert "第1行指标「养护里程」未印分值，无法计分" in page


def test_unreadable_cell_is_listed_and_nothing_saved(users: Any, login: Any, agencies: Any) -> None:
    client = login(users["agency"])
    response = upload(client, "坏.xlsx", xlsx_bytes(plain(RURAL), error_cell=(2, "得分")))
    assert response.status_code == 400 and not TableUpload.objects.exists()
    page = response.content.decode()
    assert "无法读取的内容（共 1 处，未保存）" in page
    assert "<td>第14行</td><td>第7列</td><td>第14行第7列：得分无法读取（错误值 #REF!），请核对原表</td>" in page


def test_department_overall_score_sheet(users: Any, login: Any, agencies: Any) -> None:
    client = login(users["npc_reader"])
    response = upload(client, "评分表.xlsx", sheet_xlsx_bytes(s24_sheet()))
    saved = TableUpload.objects.get()
    assert saved.kind_label == "部门整体支出绩效评价评分表" and saved.error_count == 0
    page = client.get(response["Location"]).content.decode()
    assert "在职人员控制率" in page and "95.10%" in page and "系统计算总分：82.00" in page


def test_agencies_see_only_their_own_uploads(users: Any, login: Any, agencies: Any,
                                            django_assert_max_num_queries: Any) -> None:
    data = docx_bytes(plain(RURAL))
    upload(login(users["agency"]), "本机构.docx", data)
    upload(login(users["perf_section"]), "绩效股.docx", data)
    other = TableUpload.objects.get(file_name="绩效股.docx")
    other.agency = agencies["other"]
    other.save()
    mine = TableUpload.objects.get(file_name="本机构.docx")
    client = login(users["agency"])
    with django_assert_max_num_queries(10):
        listing = client.get(reverse("evaluation:table_list")).content.decode()
    assert "本机构.docx" in listing and "绩效股.docx" not in listing
    assert client.get(other.get_absolute_url()).status_code == 404
    assert client.get(mine.get_absolute_url()).status_code == 200
    finance = login(users["perf_section"]).get(reverse("evaluation:table_list")).content.decode()
    assert "本机构.docx" in finance and "绩效股.docx" in finance
    assert login(users["unit_filler"]).get(reverse("evaluation:table_list")).status_code == 403


def test_agency_account_without_agency_is_told(users: Any, login: Any) -> None:
    response = upload(login(users["agency"]), "表.docx", docx_bytes(plain(RURAL)))
    assert response.status_code == 400 and not TableUpload.objects.exists()
    assert "您的账号未关联第三方机构，请联系绩效管理股。" in response.content.decode()
    assert "上传并检查" in login(users["agency"]).get(reverse("evaluation:table_upload")).content.decode()


def test_score_sheet_filled_in_on_the_form(users: Any, login: Any) -> None:
    from jixiao.evaluation.forms import SCORE_SHEET_ROWS

    client = login(users["perf_section"])
    page = client.get(reverse("evaluation:score_sheet_form")).content.decode()
    assert "在职人员控制率" in page and "每超1个百分点扣0.5分" in page
    data = {"unit": "示例县农业农村局", "year": "2021", "total": "96", "grade": "优",
            "items-TOTAL_FORMS": str(len(SCORE_SHEET_ROWS)), "items-INITIAL_FORMS": "0",
            "items-MIN_NUM_FORMS": "1", "items-MAX_NUM_FORMS": "1000"}
    for n, (l1, l2, name, weight, standard) in enumerate(SCORE_SHEET_ROWS):
        data |= {f"items-{n}-level1": l1, f"items-{n}-level2": l2, f"items-{n}-name": name,
                 f"items-{n}-weight": str(weight), f"items-{n}-standard": standard, f"items-{n}-score": str(weight)}
    data |= {"items-0-value": "104%", "items-2-score": "abc"}
    refused = client.post(reverse("evaluation:score_sheet_form"), data)
    assert refused.status_code == 400 and not TableUpload.objects.exists()
    html = refused.content.decode()
    assert "第3行得分：输入一个数字。" in html and 'value="104%"' in html and 'value="示例县农业农村局"' in html
    data["items-2-score"] = "8"
    response = client.post(reverse("evaluation:score_sheet_form"), data)
    saved = TableUpload.objects.get()
    assert response["Location"] == saved.get_absolute_url() and saved.file_name == "在线填写"
    page = client.get(saved.get_absolute_url()).content.decode()
    assert "第1项「在职人员控制率」指标值「104%」按评分标准应得 6.00 分，填报 8" in page
    assert "填报总分 96 与各项得分合计 100.00 不一致" in page
