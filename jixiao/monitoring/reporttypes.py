"""The monitoring app's Word reports as report types (``jixiao.reports``): the monitoring report to the
district government and the monitoring table units print, sign and hand in."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from docx.enum.section import WD_ORIENT
from docx.shared import Mm

from jixiao.core import official
from jixiao.reports import building as b
from jixiao.reports.registry import Chart, ReportType, register

HERE = Path(__file__).parent / "report_templates"


def _sample_chart() -> Chart:
    from jixiao.core.charts import bar_chart

    return Chart(bar_chart("样例图表", ["教育", "卫生健康", "农业农村"], [("执行率", [72.5, 64.0, 81.2])]))


# --- the monitoring report ---------------------------------------------------------------------------

REPORT_FIELDS = {
    "title": "报告标题", "period": "监控期间（如 2021年1–9月）", "summary": "监控范围和报送情况（若干段）",
    "totals": "项目资金、部门整体支出的个数、预算、执行数、执行率", "execution_chart": "各主管部门执行率图",
    "sectors": "按行业汇总的表格行", "lowest": "执行率最低的项目", "lights_chart": "预警分布图",
    "red_count": "红灯项目及部门整体支出个数", "red_shown": "列示的红灯个数", "red": "红灯项目表格行",
    "focus_count": "重点监控个数", "focus_engaged": "已委托第三方个数", "focus_done": "已提交核查发现个数",
    "focus": "第三方核查发现表格行", "action_count": "纠偏措施项数", "action_closed": "已办结项数", "actions": "纠偏措施表格行",
}


def report_sample() -> dict[str, Any]:
    return {
        "title": "云溪区2021年1–9月预算绩效运行监控情况报告", "period": "2021年1–9月",
        "summary": ["本次监控期间为2021年1–9月，序时进度75.00%。纳入监控120张监控表，其中财政项目资金100个、部门整体支出20个。",
                    "已报送118张，未报送2张，财政已审核110张；需报送纸质档40张，已接收38张。"],
        "totals": [("项目资金", "100", "12,345.67", "8,765.43", "71.00%"), ("部门整体支出", "20", "5,432.10", "4,001.00", "73.66%")],
        "execution_chart": _sample_chart(),
        "sectors": [("教育", "30", "3,000.00", "2,100.00", "70.00%", "2", "5")],
        "lowest": [("农村公路养护工程", "区交通运输局", "500.00", "12.30%")],
        "lights_chart": _sample_chart(),
        "red_count": 3, "red_shown": 1,
        "red": [("农村公路养护工程", "区交通运输局", "500.00", "12.30%", "红灯", "黄灯")],
        "focus_count": 5, "focus_engaged": 4, "focus_done": 1,
        "focus": [("智慧校园建设", "云溪会计师事务所", "设备到货滞后", "督促供应商按期交付")],
        "action_count": 2, "action_closed": 1,
        "actions": [("农村公路养护工程", "调整目标", "张三", "2021-11-30", "已办结")],
    }


def report_template() -> Any:
    doc = official.new_document("{{ title }}")
    doc.add_heading("一、监控范围和报送情况", level=1)
    b.lines(doc, "summary")
    doc.add_heading("二、预算执行与序时进度", level=1)
    b.loop_table(doc, ("类别", "个数", "调整后预算（万元）", "执行数（万元）", "执行率"), "totals")
    b.chart(doc, "execution_chart")
    b.paragraph(doc, "按行业汇总：")
    b.loop_table(doc, ("行业", "项目数", "调整后预算（万元）", "执行数（万元）", "执行率", "红灯", "黄灯"), "sectors")
    b.paragraph(doc, "执行率最低的项目：")
    b.loop_table(doc, ("项目", "单位", "调整后预算（万元）", "执行率"), "lowest")
    doc.add_heading("三、绩效目标完成情况及预警", level=1)
    b.chart(doc, "lights_chart")
    b.paragraph(doc, "红灯项目及部门整体支出共{{ red_count }}个（按金额列示前{{ red_shown }}个）：")
    b.loop_table(doc, ("项目/单位", "单位", "调整后预算（万元）", "执行率", "执行预警", "目标预警"), "red")
    doc.add_heading("四、第三方重点绩效跟踪监控情况", level=1)
    b.paragraph(doc, "共选取重点监控{{ focus_count }}个，已委托第三方{{ focus_engaged }}个，已提交核查发现{{ focus_done }}个。")
    b.loop_table(doc, ("项目/单位", "第三方机构", "核查发现", "整改建议"), "focus")
    doc.add_heading("五、存在的问题和纠偏措施", level=1)
    b.paragraph(doc, "共提出纠偏措施{{ action_count }}项，已办结{{ action_closed }}项。")
    b.loop_table(doc, ("项目/单位", "措施", "责任人", "期限", "状态"), "actions")
    b.paragraph(doc, "本报告并入年度绩效评价报告，上报区政府。")
    return doc


register(ReportType("monitoring_report", "预算绩效运行监控情况报告", HERE / "monitoring_report.docx", report_sample,
                    report_template, REPORT_FIELDS))


# --- the monitoring table (paper copy) ---------------------------------------------------------------

FORM_FIELDS = {
    "title": "标题（监控表名称和期间）", "unit": "填报单位", "unit_code": "单位编码", "period": "监控期间", "state": "状态",
    "project": "项目信息（部门整体支出为空）：name 名称、code 编码、department 主管部门、kind 项目属性、budget 年度资金总额（万元）",
    "execution": "预算执行情况表格行", "is_department": "是否部门整体支出", "spending": "部门整体支出的支出类别表格行",
    "execution_reason": "执行偏差原因", "annual_goal": "年度总体目标", "goal_progress": "目标实际完成情况",
    "indicators": "绩效指标完成情况表格行", "analysis": "监控分析（若干段）", "request_adjustment": "是否申请调整目标或预算",
    "contact_person": "填报人", "contact_phone": "联系电话", "unit_head": "单位负责人",
}


def form_sample() -> dict[str, Any]:
    return {
        "title": "项目支出绩效目标执行监控表（2021年1–9月）", "unit": "区教育局", "unit_code": "101001",
        "period": "2021年1–9月", "state": "已提交",
        "project": {"name": "智慧校园建设", "code": "XM2021001", "department": "区教育局", "kind": "经常性项目",
                    "budget": "500.00"},
        "execution": [("500.00", "0.00", "500.00", "320.00", "64.00%", "75.00%", "-11.00", "480.00", "20.00", "黄灯")],
        "is_department": False,
        "spending": [("基本支出", "100.00", "70.00"), ("项目支出", "400.00", "250.00")],
        "execution_reason": "设备采购合同10月支付。", "annual_goal": "完成30所学校的智慧校园建设。",
        "goal_progress": "已完成20所。",
        "indicators": [("产出指标", "数量指标", "建成学校数", "≥ 30所", "20所", "30所", "绿灯", "", "确定能", "")],
        "analysis": ["实施进度：按计划推进。", "实施存在的问题：—", "纠偏措施及下一步工作：—"],
        "request_adjustment": "否", "contact_person": "李四", "contact_phone": "0871-1234567", "unit_head": "王五",
    }


def form_template() -> Any:
    doc = official.new_document("{{ title }}", landscape=True)
    section = doc.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.left_margin = section.right_margin = Mm(20)
    b.paragraph(doc, "填报单位（盖章）：{{ unit }}    单位编码：{{ unit_code }}    监控期间：{{ period }}    状态：{{ state }}", False)
    b.tag(doc, "if project")
    b.paragraph(doc, "项目名称：{{ project.name }}    项目编码：{{ project.code }}    主管部门：{{ project.department }}    "
                "项目属性：{{ project.kind }}    年度资金总额：{{ project.budget }}万元", False)
    b.tag(doc, "endif")
    b.paragraph(doc, "一、预算执行情况（万元）", False)
    b.loop_table(doc, ("年初预算", "调整预算数", "调整后预算数", "执行数", "执行率", "序时进度", "执行偏差", "全年预计执行数",
                       "预计结转结余", "执行预警"), "execution")
    b.tag(doc, "if is_department")
    b.loop_table(doc, ("支出类别", "预算数", "执行数"), "spending")
    b.tag(doc, "endif")
    b.paragraph(doc, "执行偏差原因：{{ execution_reason }}", False)
    b.paragraph(doc, "年度总体目标：{{ annual_goal }}", False)
    b.paragraph(doc, "目标实际完成情况：{{ goal_progress }}", False)
    b.paragraph(doc, "二、绩效指标完成情况", False)
    b.loop_table(doc, ("一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "全年预计", "预警", "偏差原因",
                       "完成可能性", "纠偏措施"), "indicators")
    b.paragraph(doc, "三、监控分析", False)
    b.lines(doc, "analysis", False)
    b.paragraph(doc, "是否申请调整目标或预算：{{ request_adjustment }}", False)
    b.paragraph(doc, "填报人：{{ contact_person }}    联系电话：{{ contact_phone }}    单位负责人：{{ unit_head }}"
                "    单位（盖章）：            日期：", False)
    return doc


register(ReportType("monitoring_form", "绩效运行监控表（纸质报送）", HERE / "monitoring_form.docx", form_sample,
                    form_template, FORM_FIELDS))
