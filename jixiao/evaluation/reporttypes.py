"""The evaluation app's Word reports as report types (``jixiao.reports``): the self-evaluation report,
the key-evaluation report and the annual evaluation summary for the 区人大 and the 区政府."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jixiao.core import official
from jixiao.reports import building as b
from jixiao.reports.registry import Chart, ReportType, register

HERE = Path(__file__).parent / "report_templates"


def _chart(title: str) -> Chart:
    from jixiao.core.charts import bar_chart

    return Chart(bar_chart(title, ["决策", "过程", "产出", "效益"], [("分值", [15, 15, 40, 30]), ("得分", [13, 14, 35, 26])]))


# --- the self-evaluation report (domain.md §2.9) -------------------------------------------------------

SELFEVAL_FIELDS = {
    "title": "报告标题", "unit": "实施单位", "rule_set": "评分规则", "total": "系统计算总分", "grade": "系统计算等级",
    "claimed_total": "单位自评总分", "claimed_grade": "单位自评等级", "funds": "预算执行表格行", "overview": "基本情况",
    "goal": "年度总体目标", "goal_actual": "实际完成情况", "work": "绩效自评工作开展情况", "results": "绩效目标实现情况分析",
    "indicators": "指标表格行", "chart": "各一级指标分值与得分图（没有时为空）", "problems": "存在的问题及原因分析",
    "measures": "改进措施及结果应用", "findings": "系统检查发现（若干条）", "contact_person": "填报人",
    "contact_phone": "联系电话", "unit_head": "单位负责人",
}


def selfeval_sample() -> dict[str, Any]:
    return {
        "title": "智慧校园建设2020年度绩效自评报告", "unit": "区教育局", "rule_set": "财预〔2020〕10号",
        "total": "91.50", "grade": "优", "claimed_total": "92.00", "claimed_grade": "优",
        "funds": [("500.00", "500.00", "480.00", "96.00%", "10.00", "9.60")],
        "overview": "项目概况。", "goal": "完成30所学校的智慧校园建设。", "goal_actual": "完成30所。", "work": "成立自评工作组。",
        "results": "各项指标基本完成。",
        "indicators": [("产出指标", "数量指标", "建成学校数", "≥30所", "30所", "20.00", "20.00", "20.00")],
        "chart": _chart("各一级指标分值与得分"), "problems": "部分设备到货滞后。", "measures": "加强合同管理。",
        "findings": ["警告：效益指标偏少。"], "contact_person": "李四", "contact_phone": "0871-1234567", "unit_head": "王五",
    }


def selfeval_template() -> Any:
    doc = official.new_document("{{ title }}")
    b.paragraph(doc, "实施单位：{{ unit }}　　评价方式：部门(单位)绩效自评　　评分规则：{{ rule_set }}")
    doc.add_heading("一、自评得分情况", level=1)
    b.paragraph(doc, "系统计算总分 {{ total }} 分，等级「{{ grade }}」；单位自评总分 {{ claimed_total }} 分，自评等级「{{ claimed_grade }}」。")
    b.loop_table(doc, ("年初预算数（万元）", "全年预算数（万元）", "全年执行数（万元）", "执行率", "分值", "得分"), "funds")
    doc.add_heading("二、基本情况", level=1)
    b.paragraph(doc, "{{ overview }}")
    b.paragraph(doc, "年度总体目标：{{ goal }}")
    b.paragraph(doc, "实际完成情况：{{ goal_actual }}")
    doc.add_heading("三、绩效自评工作开展情况", level=1)
    b.paragraph(doc, "{{ work }}")
    doc.add_heading("四、绩效目标实现情况分析", level=1)
    b.paragraph(doc, "{{ results }}")
    b.loop_table(doc, ("一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "自评得分", "系统计算得分"), "indicators")
    b.chart(doc, "chart")
    doc.add_heading("五、存在的问题及原因分析", level=1)
    b.paragraph(doc, "{{ problems }}")
    doc.add_heading("六、改进措施及结果应用", level=1)
    b.paragraph(doc, "{{ measures }}")
    b.tag(doc, "if findings")
    doc.add_heading("附：系统检查发现", level=1)
    b.lines(doc, "findings")
    b.tag(doc, "endif")
    b.paragraph(doc, "填报人：{{ contact_person }}　联系电话：{{ contact_phone }}　单位负责人：{{ unit_head }}")
    return doc


# --- the key-evaluation report (财预〔2020〕10号 outline) -------------------------------------------------

KEY_FIELDS = {
    "title": "报告标题", "kind": "评价类型", "unit": "被评价单位", "agency": "评价机构", "subject": "评价对象",
    "amount": "涉及资金（万元）", "evaluated_year": "被评价预算年度", "reason": "选题理由",
    "npc_approval": "区人大审定文号和日期（未审定时为空）", "scope": "评价范围", "method": "评价方法", "schedule": "工作安排",
    "conclusion": "评价得分、等级和结论（不能查看得分者为“报送后公布”）", "levels": "一级指标权重和得分表格行",
    "indicators": "指标表格行", "chart": "权重与得分图（没有时为空）", "problems": "存在的问题及原因分析",
    "recommendations": "有关建议", "feedback": "被评价单位反馈意见", "rectifications": "整改清单表格行",
}


def key_sample() -> dict[str, Any]:
    return {
        "title": "农村公路养护资金2020年度绩效评价报告", "kind": "财政重点评价", "unit": "区交通运输局",
        "agency": "云溪会计师事务所", "subject": "项目支出", "amount": "1,200.00", "evaluated_year": 2020,
        "reason": "资金量大、社会关注度高。", "npc_approval": "云人大常〔2021〕5号（2021年04月20日）",
        "scope": "2020年度农村公路养护资金。", "method": "成本效益分析法。", "schedule": "6月至11月。",
        "conclusion": "评价得分 85.00 分，评价等级「良」。资金使用基本规范。",
        "levels": [("决策", "15.00", "13.00")],
        "indicators": [("决策", "项目立项", "立项依据充分性", "3.00", "3.00", "依据充分得满分")],
        "chart": _chart("决策、过程、产出、效益权重与得分"), "problems": "部分路段养护不及时。", "recommendations": "完善养护考核。",
        "feedback": "同意评价结论。", "rectifications": [("养护不及时", "制定养护计划", "区交通运输局", "2021-12-31", "整改中")],
    }


def key_template() -> Any:
    doc = official.new_document("{{ title }}")
    b.paragraph(doc, "{{ kind }}　被评价单位：{{ unit }}　评价机构：{{ agency }}")
    doc.add_heading("一、基本情况", level=1)
    b.paragraph(doc, "评价对象：{{ subject }}；涉及资金 {{ amount }} 万元；被评价预算年度：{{ evaluated_year }}年。选题理由：{{ reason }}")
    b.tag(doc, "if npc_approval")
    b.paragraph(doc, "区人大审定：{{ npc_approval }}")
    b.tag(doc, "endif")
    doc.add_heading("二、绩效评价工作开展情况", level=1)
    b.paragraph(doc, "评价范围：{{ scope }}")
    b.paragraph(doc, "评价方法：{{ method }}")
    b.paragraph(doc, "工作安排：{{ schedule }}")
    doc.add_heading("三、综合评价情况及评价结论", level=1)
    b.paragraph(doc, "{{ conclusion }}")
    doc.add_heading("四、绩效评价指标分析", level=1)
    b.loop_table(doc, ("一级指标", "权重", "得分"), "levels")
    b.loop_table(doc, ("一级指标", "二级指标", "三级指标", "权重", "得分", "评分标准"), "indicators")
    b.chart(doc, "chart")
    doc.add_heading("五、存在的问题及原因分析", level=1)
    b.paragraph(doc, "{{ problems }}")
    doc.add_heading("六、有关建议", level=1)
    b.paragraph(doc, "{{ recommendations }}")
    doc.add_heading("七、被评价单位反馈意见及整改", level=1)
    b.paragraph(doc, "{{ feedback }}")
    b.tag(doc, "if rectifications")
    b.loop_table(doc, ("存在问题", "整改要求", "责任单位", "整改期限", "状态"), "rectifications")
    b.tag(doc, "endif")
    return doc


# --- the annual evaluation summary (区人大, 区政府) ------------------------------------------------------

SUMMARY_FIELDS = {
    "title": "报告标题", "year": "评价年度", "count": "开展绩效自评项数", "issued": "已下达", "submitted": "已提交",
    "accepted": "财政已接收", "overdue": "逾期未报", "published": "已公开", "average": "平均得分（或“尚无财政已接收的自评表”）",
    "grades": "自评等级分布表格行（优、良、中、差）", "grade_chart": "等级分布图", "rechecked": "第三方复核项数",
    "replaced": "复核得分替代自评得分项数", "quality": "复核质量等级表格行", "key_evaluations": "重点评价表格行",
    "key_chart": "重点评价得分图（没有时为空）",
}


def summary_sample() -> dict[str, Any]:
    return {
        "title": "云溪区2020年度财政支出绩效评价工作情况报告", "year": 2020, "count": 120, "issued": 120, "submitted": 118,
        "accepted": 110, "overdue": 2, "published": 100, "average": "平均得分 88.50 分",
        "grades": [("自评表数", "60", "40", "8", "2")], "grade_chart": _chart("绩效自评等级分布"), "rechecked": 12, "replaced": 3,
        "quality": [("复核表数", "5", "4", "2", "1")],
        "key_evaluations": [("农村公路养护资金", "财政重点评价", "区交通运输局", "云溪会计师事务所", "85.00", "良", "已办结")],
        "key_chart": _chart("重点评价得分"),
    }


def summary_template() -> Any:
    doc = official.new_document("{{ title }}")
    b.paragraph(doc, "报送：区人大常委会、区人民政府")
    doc.add_heading("一、绩效自评情况", level=1)
    b.paragraph(doc, "纳入{{ year }}年度全过程预算绩效管理的财政支出共开展绩效自评 {{ count }} 项：已下达 {{ issued }} 项，"
                "已提交 {{ submitted }} 项，财政已接收 {{ accepted }} 项，逾期未报 {{ overdue }} 项，已公开 {{ published }} 项。"
                "财政已接收的 {{ accepted }} 项{{ average }}（填报中、退回修改中的自评表不计入得分和等级）。")
    b.loop_table(doc, ("等级", "优", "良", "中", "差"), "grades")
    b.chart(doc, "grade_chart")
    doc.add_heading("二、自评质量复核情况", level=1)
    b.paragraph(doc, "第三方复核自评表 {{ rechecked }} 项，其中复核得分替代自评得分 {{ replaced }} 项。")
    b.loop_table(doc, ("质量等级", "优", "良", "中", "差"), "quality")
    doc.add_heading("三、重点评价情况", level=1)
    b.loop_table(doc, ("评价项目", "评价类型", "被评价单位", "第三方机构", "得分", "等级", "状态"), "key_evaluations")
    b.chart(doc, "key_chart")
    doc.add_heading("四、结果应用", level=1)
    b.paragraph(doc, "评价结果作为以后年度预算安排的参考依据；对达不到绩效目标或评价结果较差且不整改的，调减或取消下年度预算安排。")
    return doc


register(ReportType("selfeval_report", "绩效自评报告", HERE / "selfeval_report.docx", selfeval_sample, selfeval_template,
                    SELFEVAL_FIELDS))
register(ReportType("key_report", "重点绩效评价报告", HERE / "key_report.docx", key_sample, key_template, KEY_FIELDS))
register(ReportType("evaluation_summary", "年度财政支出绩效评价工作情况报告", HERE / "evaluation_summary.docx",
                    summary_sample, summary_template, SUMMARY_FIELDS))
