"""The monitoring table as .docx (A4, the paper copy units sign, stamp and hand in)."""

from __future__ import annotations

import io

from docx.enum.section import WD_ORIENT
from docx.shared import Mm

from jixiao.core import official
from jixiao.monitoring.models import Kind, MonitoringForm
from jixiao.monitoring.report import _rate
from jixiao.rules.money import format_wan


def _wan(fen: int | None) -> str:
    return "" if fen is None else format_wan(fen)


def form_docx(form: MonitoringForm) -> bytes:
    doc = official.new_document(f"{form.form_title}（{form.round.period_label}）", landscape=True)
    section = doc.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.left_margin = section.right_margin = Mm(20)
    doc.add_paragraph(f"填报单位（盖章）：{form.unit.name}    单位编码：{form.unit.code}    "
                      f"监控期间：{form.round.period_label}    状态：{form.state_label}")
    if form.kind == Kind.PROJECT and form.project:
        p = form.project
        root = form.unit.root
        doc.add_paragraph(f"项目名称：{p.name}    项目编码：{p.code}    主管部门：{root.name if root else ''}    "
                          f"项目属性：{p.kind_label}    年度资金总额：{format_wan(form.budget_fen)}万元")
    doc.add_paragraph("一、预算执行情况（万元）")
    official.table(doc, ("年初预算", "调整预算数", "调整后预算数", "执行数", "执行率", "序时进度", "执行偏差", "全年预计执行数",
                 "预计结转结余", "执行预警"), [(
        _wan(form.initial_budget_fen), _wan(form.adjustment_fen), _wan(form.budget_fen), _wan(form.executed_fen),
        _rate(form.execution_rate), _rate(form.round.time_progress),
        "" if form.execution_gap is None else f"{form.execution_gap:.2f}", _wan(form.forecast_fen),
        _wan(form.expected_balance_fen), form.get_execution_light_display())])
    if form.kind == Kind.DEPARTMENT:
        official.table(doc, ("支出类别", "预算数", "执行数"), [
            ("基本支出", _wan(form.basic_budget_fen), _wan(form.executed_basic_fen)),
            ("项目支出", _wan(form.project_budget_fen), _wan(form.executed_project_fen))])
    doc.add_paragraph(f"执行偏差原因：{form.execution_reason or '—'}")
    doc.add_paragraph(f"年度总体目标：{form.target.annual_goal}")
    doc.add_paragraph(f"目标实际完成情况：{form.goal_progress or '—'}")
    doc.add_paragraph("二、绩效指标完成情况")
    rows: list[tuple[str, ...]] = []
    for r in form.rows.select_related("indicator"):
        i = r.indicator
        rows.append((i.level1, i.level2, i.name, f"{i.get_comparison_display()} {i.value}{i.unit}", r.actual, r.forecast,
                     r.get_light_display(), "、".join(r.reasons) + (f"（{r.other_reason}）" if r.other_reason else ""),
                     r.possibility, r.corrective_plan))
    official.table(doc, ("一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "全年预计", "预警", "偏差原因",
                 "完成可能性", "纠偏措施"), rows)
    doc.add_paragraph("三、监控分析")
    for label, text in (("实施进度", form.implementation), ("实施存在的问题", form.problems),
                        ("纠偏措施及下一步工作", form.measures)):
        doc.add_paragraph(f"{label}：{text or '—'}")
    doc.add_paragraph(f"是否申请调整目标或预算：{'是' if form.request_adjustment else '否'}")
    doc.add_paragraph(f"填报人：{form.contact_person}    联系电话：{form.contact_phone}    单位负责人：{form.unit_head}"
                      "    单位（盖章）：            日期：")
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()
