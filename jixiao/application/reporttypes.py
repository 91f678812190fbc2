"""The 结果应用情况 report for the 区政府 as a report type (``jixiao.reports``): rendered from a Word
template the performance section may replace under 报告模板, like every other report."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jixiao.core import official
from jixiao.reports import building as b
from jixiao.reports.registry import Chart, ReportType, register

HERE = Path(__file__).parent / "report_templates"

FIELDS = {
    "title": "报告标题", "recipient": "报送对象", "summary": "总体情况（一段）",
    "actions": "按处理方式表格行（处理方式、项数、本年预算、建议安排、增减）", "action_chart": "各处理方式金额图（没有时为空）",
    "sectors": "按行业表格行", "units": "按单位表格行（预算额前20位）",
    "notable": "取消、压减和收回统筹的项目表格行", "departures_intro": "下年度预算比对说明（尚未导入下年度预算时为空）",
    "departures": "与建议不一致的项目表格行",
}


def sample() -> dict[str, Any]:
    from jixiao.core.charts import bar_chart

    return {
        "title": "云溪区2021年度绩效评价结果应用情况报告", "recipient": "区人民政府",
        "summary": "依据2021年度绩效目标、运行监控、绩效自评、财政复核和重点评价结果，对120个项目及部门整体支出提出"
                   "2022年度预算安排建议（已定稿）：涉及本年预算12,000.00万元，建议安排11,200.00万元，较本年减少800.00万元。",
        "actions": [("优先保障", "30", "3,000.00", "3,000.00", "0.00"), ("取消", "2", "200.00", "0.00", "-200.00")],
        "action_chart": Chart(bar_chart("各处理方式涉及本年预算（万元）", ["优先保障", "取消"],
                                        [("本年预算", [3000.0, 200.0]), ("建议安排", [3000.0, 0.0])])),
        "sectors": [("教育", "40", "4,000.00", "1,000.00", "300.00", "200.00", "0.00", "3,500.00")],
        "units": [("区教育局", "12", "1,500.00", "1,300.00", "-200.00")],
        "notable": [("农村公路养护", "区交通运输局", "200.00", "0.00", "取消", "评价等级差且整改逾期")],
        "departures_intro": "下年度预算数据导入后比对，共1项与建议不一致。",
        "departures": [("农村公路养护", "区交通运输局", "建议取消，下年度预算仍安排 80.00 万元")],
    }


def template() -> Any:
    doc = official.new_document("{{ title }}")
    b.paragraph(doc, "报送：{{ recipient }}")
    doc.add_heading("一、总体情况", level=1)
    b.paragraph(doc, "{{ summary }}")
    doc.add_heading("二、按处理方式", level=1)
    b.loop_table(doc, ("处理方式", "项数", "本年预算（万元）", "建议安排（万元）", "增减（万元）"), "actions")
    b.chart(doc, "action_chart")
    doc.add_heading("三、按行业", level=1)
    b.loop_table(doc, ("行业", "项数", "本年预算（万元）", "优先保障（万元）", "压减涉及（万元）", "取消（万元）",
                       "收回统筹（万元）", "建议安排（万元）"), "sectors")
    doc.add_heading("四、按单位（预算额前20位）", level=1)
    b.loop_table(doc, ("单位", "项数", "本年预算（万元）", "建议安排（万元）", "增减（万元）"), "units")
    doc.add_heading("五、取消、压减和收回统筹的项目", level=1)
    b.loop_table(doc, ("项目", "单位", "本年预算（万元）", "建议安排（万元）", "处理方式", "依据"), "notable")
    b.tag(doc, "if departures_intro")
    doc.add_heading("六、下年度预算与建议的差异", level=1)
    b.paragraph(doc, "{{ departures_intro }}")
    b.loop_table(doc, ("项目", "单位", "差异"), "departures")
    b.tag(doc, "endif")
    return doc


register(ReportType("application_report", "绩效评价结果应用情况报告", HERE / "application_report.docx", sample, template,
                    FIELDS))
