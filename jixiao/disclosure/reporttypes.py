"""The report packages' Word reports (``jixiao.reports``): the annual performance work report to the
区人大, the 区政府 and upper finance, and the compilation of the year's key-evaluation reports. The
third package, the 1–9月 monitoring report, is the monitoring app's ``monitoring_report``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from docx.enum.text import WD_ALIGN_PARAGRAPH

from jixiao.core import official
from jixiao.reports import building as b
from jixiao.reports.registry import Chart, ReportType, register

HERE = Path(__file__).parent / "report_templates"


def _sample_chart(title: str) -> Chart:
    from jixiao.core.charts import bar_chart

    return Chart(bar_chart(title, ["优", "良", "中", "差"], [("自评表数", [60, 40, 8, 2])]))


# --- 年度预算绩效管理工作情况报告 -------------------------------------------------------------------

WORK_FIELDS = {
    "title": "报告标题", "year": "工作年度", "addressees": "报送对象",
    "opening": "开头段落",
    "targets_heading": "一、绩效目标标题（写明目标年度）", "targets_lines": "绩效目标管理和六同步情况（若干段）",
    "targets_sectors": "按行业的目标覆盖表格行（行业、项目数、目标已批复、尚缺批复目标、覆盖率）",
    "monitoring_heading": "二、运行监控标题（写明监控期间）", "monitoring_lines": "运行监控发现（若干段）",
    "monitoring_totals": "项目资金、部门整体支出的个数、预算、执行数、执行率表格行",
    "selfeval_heading": "三、绩效自评标题（写明自评年度）", "selfeval_lines": "绩效自评结果（若干段）",
    "selfeval_grades": "自评等级分布表格行（优、良、中、差、合计）", "grade_chart": "等级分布图",
    "recheck_heading": "四、复核标题", "recheck_lines": "自评质量复核情况（若干段）",
    "recheck_quality": "复核质量等级表格行（优、良、中、差、合计）",
    "key_heading": "五、重点评价标题（写明被评价年度）", "key_lines": "重点评价结果（若干段）",
    "key_rows": "重点评价表格行（项目、类型、被评价单位、第三方机构、资金、得分、等级、状态）",
    "application_heading": "六、结果应用标题（写明预算年度）", "application_lines": "结果应用情况（若干段）",
    "rectification_heading": "七、问题整改标题", "rectification_lines": "问题整改情况（若干段）",
    "rectification_rows": "整改事项表格行（来源、存在问题、责任单位、整改期限、状态）",
    "closing": "下一步工作（若干段）", "signature": "落款", "date": "成文日期",
}


def work_sample() -> dict[str, Any]:
    return {
        "title": "云溪区2021年度预算绩效管理工作情况报告", "year": 2021, "addressees": "区人大常委会、区人民政府、市财政局",
        "opening": "2021年，我区按照全面实施预算绩效管理的要求，推进绩效目标、运行监控、绩效评价和结果应用全过程管理。现将有关情况报告如下。",
        "targets_heading": "2021年度绩效目标管理（六同步）",
        "targets_lines": ["2021年度纳入预算的项目600个，已填报绩效目标598个，目标已批复590个，目标覆盖率98.33%。"],
        "targets_sectors": [("教育", "100", "99", "1", "99.00%")],
        "monitoring_heading": "2021年1-9月绩效运行监控",
        "monitoring_lines": ["本次监控期间为2021年1-9月，序时进度75.00%。"],
        "monitoring_totals": [("财政项目资金", "100", "12,345.67", "8,765.43", "71.00%")],
        "selfeval_heading": "2020年度绩效自评",
        "selfeval_lines": ["共开展绩效自评120项，财政已接收110项，平均得分88.50分。"],
        "selfeval_grades": [("自评表数", "60", "40", "8", "2", "110")], "grade_chart": _sample_chart("绩效自评等级分布"),
        "recheck_heading": "2020年度绩效自评质量复核", "recheck_lines": ["第三方复核自评表12项，其中复核得分替代自评得分3项。"],
        "recheck_quality": [("复核表数", "5", "4", "2", "1", "12")],
        "key_heading": "2020年度财政重点绩效评价", "key_lines": ["开展重点绩效评价4项，涉及资金3,000.00万元。"],
        "key_rows": [("农村公路养护资金", "财政重点评价", "区交通运输局", "云溪会计师事务所", "500.00", "85.00", "良", "已报送（整改中）")],
        "application_heading": "2022年度预算结果应用", "application_lines": ["评价结果作为2022年度预算安排的参考依据。"],
        "rectification_heading": "问题整改情况", "rectification_lines": ["重点评价发现问题形成整改事项10项，已销号6项。"],
        "rectification_rows": [("农村公路养护资金", "资金支付进度偏慢", "区交通运输局", "2021-06-30", "已销号")],
        "closing": ["下一步，我们将继续扩大重点评价覆盖面，强化评价结果与预算安排挂钩。"],
        "signature": "云溪区财政局", "date": "2021年12月31日",
    }


def work_template() -> Any:
    doc = official.new_document("{{ title }}")
    b.paragraph(doc, "{{ addressees }}：", indent=False)
    b.paragraph(doc, "{{ opening }}")
    doc.add_heading("一、{{ targets_heading }}", level=1)
    b.lines(doc, "targets_lines")
    b.loop_table(doc, ("行业", "项目数", "目标已批复", "尚缺批复目标", "目标覆盖率"), "targets_sectors")
    doc.add_heading("二、{{ monitoring_heading }}", level=1)
    b.lines(doc, "monitoring_lines")
    b.loop_table(doc, ("类别", "个数", "调整后预算（万元）", "执行数（万元）", "执行率"), "monitoring_totals")
    doc.add_heading("三、{{ selfeval_heading }}", level=1)
    b.lines(doc, "selfeval_lines")
    b.loop_table(doc, ("等级", "优", "良", "中", "差", "合计"), "selfeval_grades")
    b.chart(doc, "grade_chart")
    doc.add_heading("四、{{ recheck_heading }}", level=1)
    b.lines(doc, "recheck_lines")
    b.loop_table(doc, ("质量等级", "优", "良", "中", "差", "合计"), "recheck_quality")
    doc.add_heading("五、{{ key_heading }}", level=1)
    b.lines(doc, "key_lines")
    b.loop_table(doc, ("评价项目", "评价类型", "被评价单位", "第三方机构", "资金（万元）", "得分", "等级", "状态"), "key_rows")
    doc.add_heading("六、{{ application_heading }}", level=1)
    b.lines(doc, "application_lines")
    doc.add_heading("七、{{ rectification_heading }}", level=1)
    b.lines(doc, "rectification_lines")
    b.tag(doc, "if rectification_rows")
    b.loop_table(doc, ("来源评价", "存在问题", "责任单位", "整改期限", "状态"), "rectification_rows")
    b.tag(doc, "endif")
    doc.add_heading("八、下一步工作", level=1)
    b.lines(doc, "closing")
    official.paragraph(doc, "{{ signature }}", indent=False).alignment = WD_ALIGN_PARAGRAPH.RIGHT
    official.paragraph(doc, "{{ date }}", indent=False).alignment = WD_ALIGN_PARAGRAPH.RIGHT
    return doc


register(ReportType("work_report", "年度预算绩效管理工作情况报告", HERE / "work_report.docx", work_sample, work_template,
                    WORK_FIELDS))


# --- 重点绩效评价报告汇编 ----------------------------------------------------------------------------

KEY_BOOK_FIELDS = {
    "title": "汇编标题", "year": "被评价年度", "intro": "说明段落",
    "contents": "目录表格行（序号、评价项目、被评价单位、第三方机构、资金、得分、等级）",
    "reports": ("每个重点评价的报告：number 序号、title 标题、kind 评价类型、unit 被评价单位、agency 评价机构、"
                "subject 评价对象、amount 资金（万元）、reason 选题理由、npc_approval 区人大审定、scope 评价范围、"
                "method 评价方法、conclusion 评价结论、levels 一级指标表格行、indicators 指标表格行、chart 图表、"
                "problems 存在问题、recommendations 建议、feedback 单位反馈、rectifications 整改事项表格行"),
}


def key_book_sample() -> dict[str, Any]:
    report = {
        "number": "1", "title": "农村公路养护资金2020年度绩效评价报告", "kind": "财政重点评价", "unit": "区交通运输局",
        "agency": "云溪会计师事务所", "subject": "项目支出", "amount": "500.00", "reason": "资金规模大、社会关注度高。",
        "npc_approval": "云人大〔2021〕3号（2021年04月20日）", "scope": "2020年度项目资金。", "method": "成本效益分析法。",
        "conclusion": "评价得分 85.00 分，评价等级「良」。资金管理总体规范。",
        "levels": [("决策", "15.00", "13.00")],
        "indicators": [("决策", "项目立项", "立项依据充分性", "5.00", "5.00", "依据充分得满分")],
        "chart": _sample_chart("决策、过程、产出、效益权重与得分"),
        "problems": "支付进度偏慢。", "recommendations": "加快支付。", "feedback": "已按要求整改。",
        "rectifications": [("资金支付进度偏慢", "按月报送支付进度", "区交通运输局", "2021-06-30", "已销号")],
    }
    return {
        "title": "云溪区2020年度财政重点绩效评价报告汇编", "year": 2020,
        "intro": "本汇编收录2020年度重点绩效评价报告1篇，按评价类型和报送顺序排列。",
        "contents": [("1", "农村公路养护资金", "区交通运输局", "云溪会计师事务所", "500.00", "85.00", "良")],
        "reports": [report],
    }


def key_book_template() -> Any:
    doc = official.new_document("{{ title }}")
    b.paragraph(doc, "{{ intro }}")
    doc.add_heading("目录", level=1)
    b.loop_table(doc, ("序号", "评价项目", "被评价单位", "第三方机构", "资金（万元）", "得分", "等级"), "contents")
    b.tag(doc, "for k in reports")
    doc.add_heading("{{ k.number }}. {{ k.title }}", level=1)
    b.paragraph(doc, "{{ k.kind }}　被评价单位：{{ k.unit }}　评价机构：{{ k.agency }}")
    doc.add_heading("（一）基本情况", level=2)
    b.paragraph(doc, "评价对象：{{ k.subject }}；涉及资金 {{ k.amount }} 万元。选题理由：{{ k.reason }}")
    b.tag(doc, "if k.npc_approval")
    b.paragraph(doc, "区人大审定：{{ k.npc_approval }}")
    b.tag(doc, "endif")
    b.paragraph(doc, "评价范围：{{ k.scope }}")
    b.paragraph(doc, "评价方法：{{ k.method }}")
    doc.add_heading("（二）评价结论", level=2)
    b.paragraph(doc, "{{ k.conclusion }}")
    b.loop_table(doc, ("一级指标", "权重", "得分"), "k.levels")
    b.loop_table(doc, ("一级指标", "二级指标", "三级指标", "权重", "得分", "评分标准"), "k.indicators")
    b.chart(doc, "k.chart")
    doc.add_heading("（三）存在的问题和建议", level=2)
    b.paragraph(doc, "存在的问题：{{ k.problems }}")
    b.paragraph(doc, "有关建议：{{ k.recommendations }}")
    doc.add_heading("（四）被评价单位反馈及整改", level=2)
    b.paragraph(doc, "{{ k.feedback }}")
    b.tag(doc, "if k.rectifications")
    b.loop_table(doc, ("存在问题", "整改要求", "责任单位", "整改期限", "状态"), "k.rectifications")
    b.tag(doc, "endif")
    b.tag(doc, "endfor")
    return doc


register(ReportType("key_compilation", "重点绩效评价报告汇编", HERE / "key_compilation.docx", key_book_sample,
                    key_book_template, KEY_BOOK_FIELDS))
