"""Report packages for the 区人大 and the 区政府 (by 12月底) and for upper finance (domain.md §7.4):
the annual performance work report, the compilation of the key-evaluation reports and the 1–9月
monitoring report, each a .docx rendered from its report template plus one .xlsx of supporting
tables, zipped together and built in the background (``jobs.py``: a :class:`PortalJob` per package).

Every figure is read from the functions the product's pages use — ``targets.services.completeness``
(六同步 page), ``monitoring.aggregation.dashboard`` (监控汇总分析), ``evaluation.views_key.summary_data``
(年度绩效评价工作情况), ``evaluation.reports.key_context`` (each key-evaluation report) and the
monitoring report's own context — never recomputed here. Rectification is the key evaluations'
整改清单 and the monitoring round's corrective actions.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils import timezone
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from jixiao.core import spreadsheets as sp
from jixiao.core.years import object_year, stage_words
from jixiao.rules.money import format_wan

Progress = Callable[[int, str], None]
GRADES = ("优", "良", "中", "差")
#: Key evaluations whose report exists (the compilation's and the work report's).
REPORTED_STATES = ("final_report", "reported", "published")


@dataclass(frozen=True)
class Package:
    kind: str
    name: str
    description: str


PACKAGES = (
    Package("package_work", "年度预算绩效管理工作情况报告",
            "绩效目标覆盖和六同步、运行监控发现、绩效自评结果、复核质量、重点评价结果、结果应用和问题整改，附支撑表格。"),
    Package("package_key", "重点绩效评价报告汇编", "每个已形成报告的重点绩效评价的报告，附汇总表。"),
    Package("package_monitoring", "1-9月预算绩效运行监控情况报告", "运行监控报告（与监控报告页面生成的相同），附汇总表。"),
)
PACKAGE_NAMES = {p.kind: p.name for p in PACKAGES}


def _rate(value: Decimal | None) -> str:
    return "—" if value is None else f"{value:.2f}%"


def _ratio(part: int, whole: int) -> Decimal | None:
    return None if not whole else (Decimal(part) * 100 / whole).quantize(Decimal("0.01"))


def _score(value: Decimal | None) -> str:
    return "—" if value is None else f"{value:.2f}"


# --- the supporting workbook -------------------------------------------------------------------------


@dataclass
class Sheet:
    """One sheet of the supporting workbook: a title row, the header, the rows and a 合计 row."""

    name: str
    title: str
    header: Sequence[str]
    rows: list[Sequence[Any]] = field(default_factory=list)
    total: Sequence[Any] | None = None


def workbook(sheets: list[Sheet]) -> bytes:
    wb = sp.new_workbook()
    for sheet in sheets:
        ws = wb.create_sheet(sheet.name[:31])
        sp.append(ws, [sheet.title])
        ws.cell(row=1, column=1).font = Font(bold=True, size=14)
        sp.append(ws, list(sheet.header))
        for cell in ws[2]:
            cell.font, cell.fill = Font(bold=True), sp.HEADER_FILL
        for row in sheet.rows:
            sp.append(ws, list(row))
        if sheet.total is not None:
            sp.append(ws, list(sheet.total))
            for cell in ws[ws.max_row]:
                cell.font = Font(bold=True)
        for n, _ in enumerate(sheet.header, start=1):
            ws.column_dimensions[get_column_letter(n)].width = 16 if n > 1 else 30
        sp.print_setup(ws, "2:2")
    return sp.to_bytes(wb)


def bundle(files: list[tuple[str, bytes]], when: Any) -> bytes:
    """The package: its files in one .zip (stored with the generation time)."""
    out = io.BytesIO()
    stamp = timezone.localtime(when).timetuple()[:6]
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, content in files:
            zf.writestr(zipfile.ZipInfo(name, date_time=stamp), content)
    return out.getvalue()


# --- shared readings of the product's pages ------------------------------------------------------------


def monitoring_round(year: int) -> Any:
    """The 1–9月 round of ``year`` (else the year's latest round), or None."""
    from jixiao.monitoring.models import MonitoringRound

    rounds = MonitoringRound.objects.filter(year=year)
    return rounds.filter(end_month=9).first() or rounds.first()


def key_evaluations(evaluated_year: int, user: Any) -> list[Any]:
    """The key evaluations of the evaluated year whose report exists, as the summary page lists them."""
    from jixiao.evaluation.views_key import summary_data

    return [k for k in summary_data(evaluated_year, user)["key_evaluations"] if k.state in REPORTED_STATES]


def rectification_items(keys: list[Any], user: Any) -> list[Any]:
    """The key evaluations' findings on the rectification register (cancelled ones not counted)."""
    from jixiao.rectification.models import Rectification

    return list(Rectification.objects.for_user(user).filter(key_evaluation__in=[k.pk for k in keys])
                .exclude(state="cancelled").select_related("unit", "key_evaluation")
                .order_by("key_evaluation_id", "deadline", "pk"))


# --- (a) the annual performance work report ------------------------------------------------------------


def work_package(year: int, user: Any, progress: Progress) -> tuple[dict[str, Any], list[Sheet]]:
    """The work report's context and its supporting tables for plan year ``year``."""
    from jixiao.core.charts import bar_chart
    from jixiao.evaluation.views_key import summary_data
    from jixiao.monitoring.aggregation import dashboard
    from jixiao.monitoring.models import MonitoringForm
    from jixiao.monitoring.report import summary_lines
    from jixiao.rectification.models import OPEN_STATES, Rectification
    from jixiao.reports.registry import Chart
    from jixiao.targets.services import completeness

    targets_year, evaluated = object_year("targets", year), object_year("evaluation", year)
    results_year = object_year("results", year)
    sheets: list[Sheet] = []

    progress(10, "汇总绩效目标和六同步情况")
    six = completeness(targets_year, user)
    t = six["totals"]
    coverage = _ratio(t["approved"], t["projects"])
    targets_lines = [
        f"{targets_year}年度纳入预算的项目{t['projects']}个，已填报绩效目标{t['declared']}个，目标已批复{t['approved']}个，"
        f"尚缺批复目标{t['lacking']}个，评审未通过{t['rejected']}个，目标覆盖率{_rate(coverage)}；"
        f"项目预算已批复{t['budget']}个（六同步：未批复目标的项目不批复预算）。",
        f"纳入综合绩效考评范围的部门{six['overall_in_scope']}个，部门整体支出绩效目标已批复{six['overall_approved']}个。",
    ]
    sectors = [(name, str(s["projects"]), str(s["approved"]), str(s["lacking"]), _rate(_ratio(s["approved"], s["projects"])))
               for name, s in six["by_sector"]]
    sheets.append(Sheet("绩效目标六同步", f"{stage_words('targets', targets_year)}六同步完成情况",
                        ("预算单位", "行业", "项目数", "已填报", "目标已批复", "尚缺批复目标", "未通过（差）", "预算已批复"),
                        [(r["unit"].name, r["unit"].sector.name, r["projects"], r["declared"], r["approved"], r["lacking"],
                          r["rejected"], r["budget"]) for r in six["rows"]],
                        ("合计", "", t["projects"], t["declared"], t["approved"], t["lacking"], t["rejected"], t["budget"])))

    progress(30, "汇总运行监控情况")
    rnd = monitoring_round(object_year("monitoring", year))
    actions: list[Any] = []
    if rnd is None:
        monitoring_heading = f"{object_year('monitoring', year)}年1-9月绩效运行监控"
        monitoring_lines = ["本年度尚未开展绩效运行监控。"]
        monitoring_totals: list[tuple[str, ...]] = []
    else:
        dash = dashboard(rnd, MonitoringForm.objects.for_user(user))
        monitoring_heading = f"{rnd.period_label}绩效运行监控"
        actions = list(Rectification.objects.filter(monitoring_form__round=rnd).order_by("deadline", "pk"))
        monitoring_lines = [*summary_lines(dash),
                            f"针对监控发现的问题提出纠偏措施{len(actions)}项，已办结"
                            f"{sum(1 for a in actions if a.state == 'closed')}项。"]
        monitoring_totals = [(g.label, str(g.forms), format_wan(g.budget_fen), format_wan(g.executed_fen), _rate(g.rate))
                             for g in (dash.projects, dash.departments)]
        p = dash.projects
        sheets.append(Sheet("运行监控", f"{rnd.period_label}各主管部门项目资金执行情况",
                            ("主管部门", "项目数", "调整后预算（万元）", "执行数（万元）", "执行率", "红灯", "黄灯"),
                            [(g.label, g.forms, sp.wan(g.budget_fen), sp.wan(g.executed_fen), sp.percent(g.rate), g.red,
                              g.yellow) for g in dash.by_unit],
                            ("合计", p.forms, sp.wan(p.budget_fen), sp.wan(p.executed_fen), sp.percent(p.rate), p.red,
                             p.yellow)))

    progress(50, "汇总绩效自评和复核情况")
    data = summary_data(evaluated, user)
    grades, quality = data["grades"], data["quality"]
    average = "尚无财政已接收的自评表" if data["average"] is None else f"平均得分{_score(data['average'])}分"
    selfeval_lines = [
        f"{evaluated}年度共开展绩效自评{data['count']}项：已提交{data['submitted']}项，财政已接收{data['accepted']}项，"
        f"逾期未报{data['overdue']}项，已公开{data['published']}项。",
        f"财政已接收的{data['accepted']}项{average}；等级为优{grades['优']}项、良{grades['良']}项、中{grades['中']}项、"
        f"差{grades['差']}项（填报中、退回修改中的自评表不计入得分和等级）。",
    ]
    recheck_lines = [f"第三方复核{evaluated}年度自评表{data['rechecked']}项，其中复核得分替代自评得分{data['replaced']}项；"
                     f"复核质量等级为优{quality['优']}项、良{quality['良']}项、中{quality['中']}项、差{quality['差']}项。"]
    sheets.append(Sheet("绩效自评", f"{stage_words('evaluation', evaluated)}等级分布（财政已接收）", ("等级", "自评表数"),
                        [(g, grades[g]) for g in GRADES], ("合计", sum(grades.values()))))
    sheets.append(Sheet("复核质量", f"{evaluated}年度绩效自评复核质量", ("质量等级", "复核表数"),
                        [(g, quality[g]) for g in GRADES], ("合计", sum(quality.values()))))

    progress(65, "汇总重点评价结果")
    keys = key_evaluations(evaluated, user)
    key_amount = sum(k.amount_fen for k in keys)
    key_lines = [f"{stage_words('key_evaluation', evaluated)}已形成报告{len(keys)}项，涉及资金{format_wan(key_amount)}万元；"
                 + "，".join(f"等级为{g}的{sum(1 for k in keys if k.grade == g)}项" for g in GRADES) + "。"]
    key_rows = [(k.title, k.get_kind_display(), k.unit.name, k.agency.name if k.agency else "—", format_wan(k.amount_fen),
                 _score(k.total), k.grade or "—", k.state_label) for k in keys]
    sheets.append(Sheet("重点评价", f"{stage_words('key_evaluation', evaluated)}结果",
                        ("评价项目", "评价类型", "被评价单位", "第三方机构", "资金（万元）", "得分", "等级", "状态"),
                        [(k.title, k.get_kind_display(), k.unit.name, k.agency.name if k.agency else "", sp.wan(k.amount_fen),
                          sp.decimal(k.total), k.grade, k.state_label) for k in keys],
                        ("合计", f"{len(keys)}项", "", "", sp.wan(key_amount), "", "", "")))

    progress(80, "汇总结果应用和问题整改")
    low_self = grades["中"] + grades["差"]
    low_key = [k for k in keys if k.grade in ("中", "差")]
    application_lines = [
        f"{evaluated}年度绩效自评等级为“中”“差”的{low_self}项、重点评价等级为“中”“差”的{len(low_key)}项，"
        f"作为{results_year}年度预算安排的重要依据：对达不到绩效目标或评价结果较差且不整改的，调减或取消预算安排。",
    ]
    items = rectification_items(keys, user)
    today = timezone.localdate()
    states = {"待整改": sum(1 for i in items if i.state in OPEN_STATES),
              "已反馈": sum(1 for i in items if i.state == "answered"),
              "已销号": sum(1 for i in items if i.state == "closed")}
    overdue = sum(1 for i in items if i.state in OPEN_STATES and i.deadline < today)
    rectification_lines = [
        f"重点评价发现问题形成整改事项{len(items)}项：待整改{states['待整改']}项，已反馈{states['已反馈']}项，"
        f"已销号{states['已销号']}项，逾期未销号{overdue}项。",
    ]
    if rnd is not None:
        rectification_lines.append(f"运行监控纠偏措施{len(actions)}项，已办结{sum(1 for a in actions if a.state == 'closed')}项。")
    rect_rows = [(i.key_evaluation.title, i.problem, i.unit.name, f"{i.deadline:%Y-%m-%d}", i.status_label)
                 for i in items]
    sheets.append(Sheet("问题整改", f"{stage_words('key_evaluation', evaluated)}整改清单",
                        ("来源评价", "存在问题", "整改要求", "责任单位", "整改期限", "状态", "逾期"),
                        [(i.key_evaluation.title, i.problem, i.requirement, i.unit.name, i.deadline, i.state_label,
                          i.state in OPEN_STATES and i.deadline < today) for i in items],
                        ("合计", f"{len(items)}项", "", "", "", f"已销号{states['已销号']}项", f"逾期{overdue}项")))

    grade_chart = (Chart(bar_chart("绩效自评等级分布", list(GRADES), [("自评表数", [grades[g] for g in GRADES])]))
                   if sum(grades.values()) else None)
    context = {
        "title": f"云溪区{year}年度预算绩效管理工作情况报告", "year": year,
        "addressees": "区人大常委会、区人民政府、市财政局",
        "opening": f"{year}年，我区按照全面实施预算绩效管理的要求，推进绩效目标、运行监控、绩效评价和结果应用全过程管理。"
                   "现将有关情况报告如下。",
        "targets_heading": f"{stage_words('targets', targets_year)}管理（六同步）", "targets_lines": targets_lines,
        "targets_sectors": sectors,
        "monitoring_heading": monitoring_heading, "monitoring_lines": monitoring_lines, "monitoring_totals": monitoring_totals,
        "selfeval_heading": stage_words("evaluation", evaluated), "selfeval_lines": selfeval_lines,
        "selfeval_grades": [("自评表数", *(str(grades[g]) for g in GRADES), str(sum(grades.values())))],
        "grade_chart": grade_chart,
        "recheck_heading": f"{evaluated}年度绩效自评质量复核", "recheck_lines": recheck_lines,
        "recheck_quality": [("复核表数", *(str(quality[g]) for g in GRADES), str(sum(quality.values())))],
        "key_heading": stage_words("key_evaluation", evaluated), "key_lines": key_lines, "key_rows": key_rows,
        "application_heading": stage_words("results", results_year), "application_lines": application_lines,
        "rectification_heading": "问题整改情况", "rectification_lines": rectification_lines,
        "rectification_rows": rect_rows,
        "closing": ["下一步，我们将继续扩大重点评价覆盖面，提高绩效自评质量，强化评价结果与预算安排挂钩，"
                    "督促问题整改到位，并按规定公开绩效信息。"],
        "signature": "云溪区财政局", "date": f"{today.year}年{today.month}月{today.day}日",
    }
    return context, sheets


# --- (b) the key-evaluation report compilation ---------------------------------------------------------


def key_package(year: int, user: Any, progress: Progress) -> tuple[dict[str, Any], list[Sheet]]:
    from jixiao.evaluation.reports import key_context

    evaluated = object_year("key_evaluation", year)
    progress(10, "读取重点评价")
    keys = key_evaluations(evaluated, user)
    reports = []
    for n, ke in enumerate(keys, start=1):
        progress(10 + 70 * n // max(len(keys), 1), f"整理第{n}篇报告：{ke.title}")
        reports.append({"number": str(n), **key_context(ke, with_scores=True)})
    items = rectification_items(keys, user)
    by_key: dict[int, list[Any]] = {}
    for i in items:
        by_key.setdefault(i.key_evaluation_id, []).append(i)
    total = sum(k.amount_fen for k in keys)
    context = {
        "title": f"云溪区{stage_words('key_evaluation', evaluated)}报告汇编", "year": evaluated,
        "intro": f"本汇编收录{stage_words('key_evaluation', evaluated)}报告{len(keys)}篇，涉及资金{format_wan(total)}万元，"
                 "按评价类型和立项顺序排列，报送区人大常委会、区人民政府和市财政局。",
        "contents": [(str(n), k.title, k.unit.name, k.agency.name if k.agency else "—", format_wan(k.amount_fen), _score(k.total),
                      k.grade or "—") for n, k in enumerate(keys, start=1)],
        "reports": reports,
    }
    sheet = Sheet("重点评价汇总", f"{stage_words('key_evaluation', evaluated)}汇总表",
                  ("序号", "评价项目", "评价类型", "被评价单位", "第三方机构", "资金（万元）", "得分", "等级", "整改事项", "已销号"),
                  [(n, k.title, k.get_kind_display(), k.unit.name, k.agency.name if k.agency else "", sp.wan(k.amount_fen),
                    sp.decimal(k.total), k.grade, len(by_key.get(k.pk, [])),
                    sum(1 for i in by_key.get(k.pk, []) if i.state == "closed")) for n, k in enumerate(keys, start=1)],
                  ("合计", f"{len(keys)}项", "", "", "", sp.wan(total), "", "", len(items),
                   sum(1 for i in items if i.state == "closed")))
    return context, [sheet]


# --- (c) the monitoring report --------------------------------------------------------------------------


def monitoring_package(year: int, user: Any, progress: Progress) -> tuple[dict[str, Any] | None, list[Sheet]]:
    """The monitoring app's report context (the same as its 监控报告 page generates) and its tables."""
    from jixiao.monitoring.report import report_context

    rnd = monitoring_round(object_year("monitoring", year))
    if rnd is None:
        return None, []
    context, dash = report_context(rnd, progress)
    p = dash.projects
    total = ("合计", p.forms, sp.wan(p.budget_fen), sp.wan(p.executed_fen), sp.percent(p.rate), p.red, p.yellow)
    header = ("{}", "项目数", "调整后预算（万元）", "执行数（万元）", "执行率", "红灯", "黄灯")

    def rows(groups: list[Any]) -> list[Sequence[Any]]:
        return [(g.label, g.forms, sp.wan(g.budget_fen), sp.wan(g.executed_fen), sp.percent(g.rate), g.red, g.yellow)
                for g in groups]

    c = dash.completeness
    sheets = [
        Sheet("报送情况", f"{rnd.period_label}监控表报送情况", ("项目", "张数"),
              [("财政项目资金", p.forms), ("部门整体支出", dash.departments.forms), ("已报送", c.submitted),
               ("未报送", c.missing), ("财政已审核", c.accepted), ("需报送纸质档", c.paper_needed),
               ("已接收纸质档", c.paper_received)], ("合计", c.total)),
        Sheet("按主管部门", f"{rnd.period_label}各主管部门项目资金执行情况", (("主管部门", *header[1:])), rows(dash.by_unit), total),
        Sheet("按行业", f"{rnd.period_label}各行业项目资金执行情况", (("行业", *header[1:])), rows(dash.by_sector), total),
        Sheet("预警分布", f"{rnd.period_label}项目综合预警分布", ("预警", "项目数", "调整后预算（万元）"),
              [(f"{label}灯", n, sp.wan(budget)) for _code, label, n, budget in dash.lights],
              ("合计", sum(n for _c, _l, n, _b in dash.lights), sp.wan(sum(b for _c, _l, _n, b in dash.lights)))),
    ]
    return context, sheets


# --- building a package (a PortalJob builder) ------------------------------------------------------------


def build(kind: str, year: int, user: Any, progress: Progress, when: Any = None) -> tuple[bytes, str]:
    """The package ``kind`` of plan year ``year`` as a .zip (the .docx and the .xlsx) and its file name."""
    from jixiao.reports.rendering import render

    name = PACKAGE_NAMES[kind]
    if kind == "package_work":
        context, sheets = work_package(year, user, progress)
        code, stem = "work_report", f"{year}年度预算绩效管理工作情况报告"
    elif kind == "package_key":
        context, sheets = key_package(year, user, progress)
        code, stem = "key_compilation", context["title"].removeprefix("云溪区")
    else:
        found, sheets = monitoring_package(year, user, progress)
        if found is None:
            raise PackageError(f"{object_year('monitoring', year)}年度尚未开展绩效运行监控，无法生成{name}。")
        context, code, stem = found, "monitoring_report", context_title(found)
    progress(90, "生成Word报告和支撑表格")
    docx = render(code, context)
    xlsx = workbook(sheets)
    progress(97, "打包")
    return bundle([(f"{stem}.docx", docx), (f"{stem}（支撑表格）.xlsx", xlsx)], when or timezone.now()), f"{stem}.zip"


def context_title(context: dict[str, Any]) -> str:
    return str(context["title"]).removeprefix("云溪区")


class PackageError(Exception):
    """A package that cannot be built (e.g. no monitoring round of the year), in Chinese."""
