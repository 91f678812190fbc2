"""Downloads of a publication version: its data as CSV and .xlsx (with the data dictionary), its
text as .docx in the official layout, and that text as PDF (printed once by the worker and stored
with the version, :class:`PublicationPdf`). Every file is a pure function of the frozen version — the
archive entries carry the publication time, never the time of writing — or stored bytes, so the
static export is byte-identical from run to run."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from datetime import datetime
from typing import Any

from jixiao.core import official, spreadsheets
from jixiao.disclosure.models import PublicationPdf, PublicationVersion
from jixiao.rules.money import format_wan

COMMON = [("单位编码", "unit_code", "预算单位编码"), ("单位名称", "unit", "预算单位名称"),
          ("项目编码", "project_code", "项目库编码；部门整体支出为空"), ("项目名称", "project", "项目名称；部门整体支出为空"),
          ("年度", "year", "预算年度（评价为被评价年度）"), ("公开版本", "version", "第几版公开（更正后版本号递增）")]
COLUMNS: dict[str, list[tuple[str, str, str]]] = {
    "target": [*COMMON,
        ("年度资金总额（万元）", "budget_wan", "项目调整后预算数或部门整体支出，单位万元，保留两位小数"),
        ("年度目标", "annual_goal", "批复的年度绩效目标"),
        ("一级指标", "level1", "产出指标、效益指标、满意度指标等"), ("二级指标", "level2", "数量、质量、时效等"),
        ("三级指标", "name", "具体指标名称"), ("计算符号", "comparison", "≥、≤、＝ 等"),
        ("指标值", "value", "年度指标值"), ("计量单位", "unit_of_measure", "指标值的计量单位"),
        ("权重", "weight", "指标分值")],
    "selfeval": [*COMMON,
        ("全年预算数（万元）", "budget_wan", "全年预算数，单位万元"), ("全年执行数（万元）", "executed_wan", "全年执行数，单位万元"),
        ("自评得分", "total", "单位自评总分（满分100）"), ("自评等级", "grade", "优、良、中、差"),
        ("一级指标", "level1", ""), ("二级指标", "level2", ""), ("三级指标", "name", ""),
        ("年度指标值", "target", "批复的年度指标值"), ("实际完成值", "actual", "全年实际完成值"),
        ("分值", "weight", "指标分值"), ("得分", "score", "指标得分"), ("偏差原因", "note", "未完成原因及改进措施")],
    "key": [*COMMON,
        ("评价项目", "title", "重点评价项目名称"), ("涉及资金（万元）", "amount_wan", "单位万元"),
        ("评价得分", "total", "评价总分（满分100）"), ("评价等级", "grade", "优、良、中、差"),
        ("存在问题", "problem", "评价发现的问题"), ("整改要求", "action", "整改措施要求"),
        ("责任单位", "owner", "整改责任单位"), ("整改期限", "deadline", "年-月-日"),
        ("整改状态", "status", "待整改、已反馈、已销号"), ("整改情况", "feedback", "责任单位反馈的整改情况")],
}
KIND_NAMES = {"target": "绩效目标", "selfeval": "绩效自评", "key": "重点绩效评价"}


def data_rows(version: PublicationVersion) -> tuple[list[str], list[list[Any]]]:
    c, kind = version.content, version.publication.kind
    columns = COLUMNS[kind]
    base = {"unit_code": c.get("unit_code"), "unit": c.get("unit"), "project_code": c.get("project_code") or "",
            "project": c.get("project") or "", "year": version.publication.year, "version": version.number}
    if kind == "target":
        base |= {"budget_wan": format_wan(c.get("budget_fen")), "annual_goal": c.get("annual_goal") or ""}
        items = [{**i, "unit_of_measure": i.get("unit") or ""} for i in c.get("indicators") or []] or [{}]
    elif kind == "selfeval":
        base |= {"budget_wan": format_wan(c.get("budget_fen")), "executed_wan": format_wan(c.get("executed_fen")),
                 "total": c.get("total") or "", "grade": c.get("grade") or ""}
        items = list(c.get("indicators") or []) or [{}]
    else:
        base |= {"title": c.get("title"), "amount_wan": format_wan(c.get("amount_fen")), "total": c.get("total") or "",
                 "grade": c.get("grade") or ""}
        items = list(c.get("rectifications") or []) or [{}]
    rows = []
    for item in items:
        values = base | {k: v for k, v in item.items() if k not in base}
        rows.append(["" if values.get(key) is None else str(values.get(key)) for _h, key, _d in columns])
    return [h for h, _k, _d in columns], rows


def to_csv(version: PublicationVersion) -> bytes:
    header, rows = data_rows(version)
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return ("\ufeff" + buf.getvalue()).encode("utf-8")  # BOM: Excel opens UTF-8 Chinese correctly


def dictionary_csv() -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(["公开类型", "字段", "说明"])
    for kind, columns in COLUMNS.items():
        for header, _key, meaning in columns:
            writer.writerow([KIND_NAMES[kind], header, meaning])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def to_xlsx(version: PublicationVersion) -> bytes:
    header, rows = data_rows(version)
    wb = spreadsheets.new_workbook()
    ws = wb.create_sheet("公开数据")
    spreadsheets.append(ws, header)
    for r in rows:
        spreadsheets.append(ws, r)
    info = wb.create_sheet("数据说明")
    spreadsheets.append(info, ["字段", "说明"])
    for h, _k, meaning in COLUMNS[version.publication.kind]:
        spreadsheets.append(info, [h, meaning])
    spreadsheets.append(info, [])
    spreadsheets.append(info, ["标题", version.publication.title])
    spreadsheets.append(info, ["公开时间", version.published_at.date().isoformat()])
    spreadsheets.append(info, ["内容摘要（SHA-256）", version.sha256])
    if version.correction_note:
        spreadsheets.append(info, ["更正说明", version.correction_note])
    return stable_zip(spreadsheets.to_bytes(wb), version.published_at)


def to_docx(version: PublicationVersion) -> bytes:
    c, kind = version.content, version.publication.kind
    doc = official.new_document(version.publication.title)
    official.paragraph(doc, f"公开单位：{c.get('unit')}　公开时间：{version.published_at.date().isoformat()}　"
                            f"版本：第{version.number}版", indent=False)
    if version.correction_note:
        official.paragraph(doc, f"更正说明：{version.correction_note}", indent=False)
    if kind == "target":
        official.heading(doc, "一、基本情况")
        official.paragraph(doc, f"年度资金总额：{format_wan(c.get('budget_fen'))}万元。")
        if c.get("long_term_goal"):
            official.paragraph(doc, f"长期目标：{c['long_term_goal']}")
        official.paragraph(doc, f"年度目标：{c.get('annual_goal') or ''}")
        official.heading(doc, "二、绩效指标")
        official.table(doc, ["一级指标", "二级指标", "三级指标", "指标值", "权重"], [
            [i.get("level1"), i.get("level2"), i.get("name"), f"{i.get('comparison') or ''}{i.get('value') or ''}{i.get('unit') or ''}",
             i.get("weight") or ""] for i in c.get("indicators") or []])
    elif kind == "selfeval":
        official.paragraph(doc, f"自评得分：{c.get('total') or ''}　自评等级：{c.get('grade') or ''}　"
                                f"全年预算数：{format_wan(c.get('budget_fen'))}万元　全年执行数：{format_wan(c.get('executed_fen'))}万元。")
        from jixiao.disclosure.portal import _report_sections

        for heading, text in _report_sections(c):
            official.heading(doc, heading)
            official.paragraph(doc, text)
        official.heading(doc, "附：绩效自评表")
        official.table(doc, ["三级指标", "年度指标值", "实际完成值", "分值", "得分"], [
            [i.get("name"), i.get("target"), i.get("actual"), i.get("weight"), i.get("score")] for i in c.get("indicators") or []])
    else:
        official.paragraph(doc, f"评价得分：{c.get('total') or ''}　评价等级：{c.get('grade') or ''}　"
                                f"涉及资金：{format_wan(c.get('amount_fen'))}万元。")
        for heading, key in (("一、综合评价结论", "conclusion"), ("二、存在的问题", "problems"), ("三、有关建议", "recommendations")):
            official.heading(doc, heading)
            official.paragraph(doc, c.get(key) or "无")
        official.heading(doc, "四、问题整改情况")
        official.table(doc, ["存在问题", "整改要求", "责任单位", "整改期限", "整改状态"], [
            [r["problem"], r["action"], r["owner"], r["deadline"], r["status"]] for r in c.get("rectifications") or []])
    doc.core_properties.title = version.publication.title
    doc.core_properties.author = "云溪区财政局"
    doc.core_properties.created = doc.core_properties.modified = version.published_at.replace(tzinfo=None, microsecond=0)
    doc.core_properties.last_modified_by = "云溪区财政局"
    doc.core_properties.revision = version.number
    return stable_zip(official.to_bytes(doc), version.published_at)


_STAMP = re.compile(rb"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:\2>)")


def stable_zip(data: bytes, when: datetime) -> bytes:
    """The same archive with every entry dated ``when`` and the document's created/modified set to it."""
    stamp = when.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    date_time = (max(when.year, 1980), when.month, when.day, when.hour, when.minute, when.second // 2 * 2)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            blob = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                blob = _STAMP.sub(lambda m: m.group(1) + stamp + m.group(3), blob)
            entry = zipfile.ZipInfo(info.filename, date_time)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            dst.writestr(entry, blob)
    return out.getvalue()


def stored_pdf(version: PublicationVersion) -> bytes | None:
    """The version's PDF as the worker printed it, or None while it is waiting or unavailable."""
    content = (PublicationPdf.objects.filter(pk=version.pk, status=PublicationPdf.Status.DONE)
               .values_list("content", flat=True).first())
    return None if content is None else bytes(content)


def download(version: PublicationVersion, name: str) -> tuple[bytes, str] | None:
    if name == "report.pdf":
        data = stored_pdf(version)
        return None if data is None else (data, "application/pdf")
    makers: dict[str, tuple[Any, str]] = {
        "data.csv": (to_csv, "text/csv; charset=utf-8"),
        "data.xlsx": (to_xlsx, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        "report.docx": (to_docx, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    }
    if name not in makers:
        return None
    maker, content_type = makers[name]
    return maker(version), content_type
