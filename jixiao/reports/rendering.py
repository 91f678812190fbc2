"""Rendering a report type's template (the active upload, else the built-in one) with a context,
checking an uploaded template by rendering it with the type's sample context, and the finishing
pass that keeps every rendered table in the official layout (GB/T 9704: rows never split, header
repeated, columns sized to their content, tables separated by a paragraph)."""

from __future__ import annotations

import io
import logging
import re
import zipfile
from typing import Any

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm
from docxtpl import DocxTemplate, InlineImage
from jinja2 import Environment, StrictUndefined, TemplateSyntaxError, UndefinedError

from jixiao.core import official
from jixiao.reports.registry import Chart, ReportType, get

logger = logging.getLogger(__name__)
MAX_TEMPLATE_BYTES = 10 * 1024 * 1024


class TemplateRefused(Exception):
    """An uploaded template that cannot render the report; ``messages`` say what is wrong, in Chinese."""

    def __init__(self, messages: list[str]) -> None:
        super().__init__("；".join(messages))
        self.messages = messages


def builtin_content(report_type: ReportType) -> bytes:
    return report_type.builtin.read_bytes()


def template_content(code: str) -> bytes:
    """The template in use: the performance section's active upload, else the built-in one."""
    from jixiao.reports.models import ReportTemplate

    report_type = get(code)
    active = ReportTemplate.objects.filter(report_type=code, active=True).first()
    if active is not None:
        try:
            return active.read()
        except (OSError, ValueError):
            logger.exception("report template %s v%s unreadable; using the built-in one", code, active.version)
    return builtin_content(report_type)


def render(code: str, context: dict[str, Any]) -> bytes:
    """The report as .docx bytes. An uploaded template that fails on real data (it passed the sample)
    is logged and the built-in template is used, so a report is never lost to a template."""
    content = template_content(code)
    try:
        return render_template(content, context)
    except Exception:
        builtin = builtin_content(get(code))
        if content == builtin:
            raise
        logger.exception("uploaded template of %s failed on real data; using the built-in one", code)
        return render_template(builtin, context)


def render_template(content: bytes, context: dict[str, Any]) -> bytes:
    tpl = DocxTemplate(io.BytesIO(content))
    env = Environment(autoescape=True, undefined=StrictUndefined)
    tpl.render(_prepare(tpl, context), jinja_env=env, autoescape=True)
    finish(tpl.docx)
    out = io.BytesIO()
    tpl.save(out)
    return out.getvalue()


def _prepare(tpl: DocxTemplate, value: Any) -> Any:
    if isinstance(value, Chart):
        return InlineImage(tpl, io.BytesIO(value.png), width=Mm(value.width_mm))
    if isinstance(value, dict):
        return {k: _prepare(tpl, v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_prepare(tpl, v) for v in value]
    return "" if value is None else value


# --- the official layout of rendered tables -------------------------------------------------------


def finish(doc: Any) -> None:
    """Every table: rows kept together with the header repeated, columns sized to the rendered text
    (tables with merged cells keep the template's widths), short cells centred where the template
    left alignment open, and a paragraph after it so two tables never run together."""
    section = doc.sections[-1]
    width_mm = (section.page_width - section.left_margin - section.right_margin) / Mm(1)
    for t in doc.tables:
        _keep_together(t)
        rows = t.rows
        if not rows:
            continue
        if not _merged(t):
            texts = [[cell.text for cell in row.cells] for row in rows]
            if texts and all(len(r) == len(texts[0]) for r in texts):
                official._widths(t, texts, width_mm)
        for n, row in enumerate(rows):
            if n == 0:
                continue
            for cell in row.cells:
                for p in cell.paragraphs:
                    if p.alignment is None:
                        p.alignment = WD_ALIGN_PARAGRAPH.CENTER if len(cell.text) <= 8 else WD_ALIGN_PARAGRAPH.LEFT
        following = t._tbl.getnext()
        if following is None or following.tag != qn("w:p"):
            t._tbl.addnext(OxmlElement("w:p"))


def _keep_together(t: Any) -> None:
    for n, row in enumerate(t.rows):
        trpr = row._tr.get_or_add_trPr()
        if trpr.find(qn("w:cantSplit")) is None:
            trpr.append(OxmlElement("w:cantSplit"))
        if n == 0 and trpr.find(qn("w:tblHeader")) is None:
            trpr.append(OxmlElement("w:tblHeader"))


def _merged(t: Any) -> bool:
    tbl = t._tbl
    return bool(tbl.xpath(".//w:gridSpan") or tbl.xpath(".//w:vMerge"))


# --- checking an upload ------------------------------------------------------------------------------


def check_template(code: str, content: bytes) -> bytes:
    """Render ``content`` with the type's sample context; the rendered sample, or TemplateRefused."""
    report_type = get(code)
    if len(content) > MAX_TEMPLATE_BYTES:
        raise TemplateRefused([f"模板文件超过 {MAX_TEMPLATE_BYTES // 1024 // 1024}MB，请删除其中的大图片后再上传。"])
    if not content.startswith(b"PK\x03\x04"):
        raise TemplateRefused(["这不是 Word（.docx）文件。若模板是 .doc 或 .wps 格式，请在 Word 或 WPS 中"
                               "“另存为”Word 文档（*.docx）后上传。"])
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            if "word/document.xml" not in archive.namelist():
                raise TemplateRefused(["文件中没有 Word 正文（word/document.xml），请用 Word 或 WPS 另存为 .docx 后上传。"])
        Document(io.BytesIO(content))
    except TemplateRefused:
        raise
    except Exception:
        raise TemplateRefused(["文件已损坏或不是 Word 文档，无法打开。请用 Word 或 WPS 另存为 .docx 后上传。"]) from None
    try:
        rendered = render_template(content, report_type.sample())
    except UndefinedError as exc:
        raise TemplateRefused([_undefined_message(str(exc))]) from None
    except TemplateSyntaxError as exc:
        raise TemplateRefused([_syntax_message(exc)]) from None
    except Exception:
        logger.info("template of %s refused", code, exc_info=True)
        raise TemplateRefused(["模板无法用样例数据生成报告：标记的写法有误（例如 {%tr %} 不在表格行中、"
                               "{%p %} 与其他文字写在同一段）。请对照内置模板修改后再上传。"]) from None
    try:
        Document(io.BytesIO(rendered))
    except Exception:
        raise TemplateRefused(["用样例数据生成的文档无法打开：模板的标记破坏了文档结构（例如 {%tr %} 不在表格行中）。"
                               "请对照内置模板修改后再上传。"]) from None
    return rendered


def _undefined_message(text: str) -> str:
    name = re.search(r"'([^']+)' is undefined", text)
    if name:
        return f"模板中的字段「{name[1]}」不是本报告的字段，请对照页面上的字段说明改正（区分大小写）。"
    attribute = re.search(r"has no attribute '([^']+)'", text)
    if attribute:
        return f"模板中的「{attribute[1]}」不是本报告字段的组成部分，请对照页面上的字段说明改正。"
    return "模板使用了本报告没有的字段，请对照页面上的字段说明改正。"


def _syntax_message(exc: TemplateSyntaxError) -> str:
    near = "".join(getattr(exc, "docx_context", []) or []).strip()
    near_text = f"（出错位置附近的文字：「{near[:80]}」）" if near else ""
    text = str(exc.message or "")
    unknown = re.search(r"Encountered unknown tag '([^']+)'", text)
    if unknown:
        what = f"模板中有无法识别的标记「{unknown[1]}」"
    elif "Unexpected end of template" in text:
        what = "模板中的 {% for %} 或 {% if %} 没有对应的 {% endfor %} 或 {% endif %}"
    elif "unexpected" in text.lower():
        what = "模板中有写错或不成对的 {{ }}、{% %} 标记"
    else:
        what = "模板标记的写法有误"
    return f"{what}{near_text}。请检查 {{{{ }}}} 和 {{% %}} 是否成对、for/if 是否有对应的 endfor/endif（Word 的自动更正可能把引号改成了全角）。"
