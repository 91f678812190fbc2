"""The assessment's Word report as a report type (``jixiao.reports``): 关于…考核结果的通报."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jixiao.core import official
from jixiao.reports import building as b
from jixiao.reports.registry import ReportType, register

HERE = Path(__file__).parent / "report_templates"

NOTICE_FIELDS = {
    "title": "通报标题", "addressee": "主送单位", "opening": "开头段落（考核依据、范围、公示情况）",
    "results": "考核结果表格行：排名、单位、总分、等次", "praised": "通报表扬段落", "interviewed": "约谈段落",
    "note": "附注（考核办法为示例文本时的提示，可为空）", "issuer": "发文单位",
}


def notice_sample() -> dict[str, Any]:
    return {
        "title": "关于2021年度预算绩效管理工作考核结果的通报", "addressee": "各预算单位：",
        "opening": "根据《云溪区区级部门预算绩效管理工作考核办法》，区财政局对纳入综合绩效考评范围的30个预算单位"
                   "2021年度预算绩效管理工作进行了考核，考核结果经公示，现予通报，并报送区绩效办作为年终考核评价的重要依据。",
        "results": [("1", "区教育局", "95.5", "优"), ("2", "区卫生健康局", "88", "良")],
        "praised": "对区教育局予以通报表扬。", "interviewed": "对区农业农村局进行约谈，督促其限期整改。",
        "note": "", "issuer": "区财政局",
    }


def notice_template() -> Any:
    doc = official.new_document("{{ title }}")
    b.paragraph(doc, "{{ addressee }}", indent=False)
    b.paragraph(doc, "{{ opening }}")
    doc.add_heading("一、考核结果", level=1)
    b.loop_table(doc, ("排名", "单位", "总分", "等次"), "results")
    doc.add_heading("二、通报表扬", level=1)
    b.paragraph(doc, "{{ praised }}")
    doc.add_heading("三、约谈", level=1)
    b.paragraph(doc, "{{ interviewed }}")
    b.tag(doc, "if note")
    b.paragraph(doc, "{{ note }}")
    b.tag(doc, "endif")
    b.paragraph(doc, "{{ issuer }}", indent=False).alignment = 2
    return doc


register(ReportType("assessment_notice", "预算绩效管理工作考核结果通报", HERE / "assessment_notice.docx", notice_sample,
                    notice_template, NOTICE_FIELDS))
