"""The targets app's Word document as a report type (``jixiao.reports``): the declaration form
(绩效目标申报表) as units print, sign and stamp it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from docx.enum.table import WD_TABLE_ALIGNMENT

from jixiao.core import official
from jixiao.reports import building as b
from jixiao.reports.registry import ReportType, register

HERE = Path(__file__).parent / "report_templates"

FIELDS = {
    "title": "标题（年度和申报表名称）", "unit": "填报单位", "version": "版本号", "state": "状态",
    "pairs": "基本信息表格行（每行两组“名称、内容”）", "goals": "目标行（名称、内容；部门整体只有年度目标）",
    "is_department": "是否部门整体支出", "tasks": "年度主要任务表格行", "indicators": "年度绩效指标表格行",
    "contact_person": "填报人", "contact_phone": "联系电话", "unit_head": "单位负责人", "review_grade": "财政审核等级",
    "review_comment": "财政审核意见",
}


def sample() -> dict[str, Any]:
    return {
        "title": "2021年度项目支出预算绩效目标申报表", "unit": "区交通运输局", "version": 1, "state": "填报中",
        "pairs": [("项目名称", "农村公路养护工程", "项目编码", "XM2021002"), ("主管部门", "区交通运输局", "年度资金总额（万元）", "500.00")],
        "goals": [("长期目标", "全区农村公路列养率100%。"), ("年度目标", "完成120公里农村公路养护。")],
        "is_department": False, "tasks": [("农村公路养护", "日常养护", "400.00", "100.00")],
        "indicators": [("产出指标", "数量指标", "养护里程", "≥", "120公里", "20", "")],
        "contact_person": "李四", "contact_phone": "0871-1234567", "unit_head": "王五", "review_grade": "—",
        "review_comment": "—",
    }


def template() -> Any:
    doc = official.new_document("{{ title }}")
    b.paragraph(doc, "填报单位（盖章）：{{ unit }}        版本：第{{ version }}版        状态：{{ state }}", False)
    head = doc.add_table(rows=0, cols=4)
    head.style = "Table Grid"
    head.alignment = WD_TABLE_ALIGNMENT.CENTER
    blank = [""] * 3
    for texts in (["{%tr for r in pairs %}", *blank], ["{{ r[0] }}", "{{ r[1] }}", "{{ r[2] }}", "{{ r[3] }}"],
                  ["{%tr endfor %}", *blank], ["{%tr for r in goals %}", *blank], None, ["{%tr endfor %}", *blank]):
        cells = head.add_row().cells
        if texts is None:  # a goal: its name, then its text across three columns
            official._cell_text(cells[0], "{{ r[0] }}")
            official._cell_text(cells[1].merge(cells[3]), "{{ r[1] }}")
            continue
        for cell, text in zip(cells, texts, strict=True):
            official._cell_text(cell, text)
    official.keep_rows_together(head)
    doc.add_paragraph()
    b.tag(doc, "if is_department")
    b.paragraph(doc, "年度主要任务", False)
    b.loop_table(doc, ("任务名称", "主要内容", "财政拨款（万元）", "其他资金（万元）"), "tasks")
    b.tag(doc, "endif")
    b.paragraph(doc, "年度绩效指标", False)
    b.loop_table(doc, ("一级指标", "二级指标", "三级指标", "计算符号", "指标值", "权重", "审核意见"), "indicators")
    b.paragraph(doc, "填报人：{{ contact_person }}    联系电话：{{ contact_phone }}    单位负责人：{{ unit_head }}", False)
    b.paragraph(doc, "财政审核等级：{{ review_grade }}    审核意见：{{ review_comment }}", False)
    return doc


register(ReportType("target_declaration", "绩效目标申报表", HERE / "target_declaration.docx", sample, template, FIELDS))
