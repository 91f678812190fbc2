"""The monitoring form's indicator rows, written in Python, are the markup of the template loop they
replaced (typed values, checked reasons, lights, htmx attributes, errors), and a refused form shows them."""

from __future__ import annotations

from typing import Any

import pytest
from django.template import Context, Template
from django.urls import reverse

from jixiao.monitoring import forms as f
from jixiao.monitoring.models import MonitoringForm
from jixiao.monitoring.views import FormEditView

pytestmark = pytest.mark.django_db

#: ``monitoring/form_edit.html``'s row loop before the rows were written in Python.
TEMPLATE_LOOP = Template(
    '{% for row, rf in row_forms %}<tr{% if rf.errors %} class="row-error"{% endif %}><td>{{ forloop.counter }}</td><td>{{ row.indicator.level2 }}/{{ row.indicator.name }}</td><td>{{ row.indicator.get_comparison_display }} {{ row.indicator.value }}{{ row.indicator.unit }}</td>\n'
    '<td>{{ rf.actual }}</td><td>{{ rf.forecast }}</td><td hx-get="{% url \'monitoring:light_preview\' object.pk row.pk %}" hx-include="[name=\'{{ rf.prefix }}-actual\'],[name=\'{{ rf.prefix }}-possibility\']" hx-trigger="input changed delay:400ms from:closest tr, change from:closest tr">{% include "monitoring/_light.html" with code=row.light label=row.get_light_display %}</td>\n'
    '<td class="reasons">{{ rf.reasons }}</td><td>{{ rf.other_reason }}</td><td>{{ rf.possibility }}</td><td>{{ rf.corrective_plan }}</td><td>{{ rf.note }}</td></tr>\n'
    '{% for field in rf %}{% for e in field.errors %}<tr class="row-error"><td colspan="11" class="error">第{{ forloop.parentloop.parentloop.counter }}行「{{ field.label }}」：{{ e }}</td></tr>{% endfor %}{% endfor %}\n'
    '{% endfor %}'
)


def typed(form: MonitoringForm) -> dict[str, Any]:
    """A refused POST: a value too long, an unknown possibility, reasons checked, text with markup."""
    first, second, *_ = form.rows.order_by("pk")
    return {
        f"row-{first.pk}-actual": "9" * 101, f"row-{first.pk}-reasons": ["经费保障", "其他"],
        f"row-{first.pk}-other_reason": '<b>"原因"</b> & 其他', f"row-{first.pk}-forecast": "900",
        f"row-{second.pk}-possibility": "不存在", f"row-{second.pk}-note": "备注<1>",
    }


@pytest.mark.parametrize("refused", [False, True])
def test_rows_are_the_template_loops_markup(project_form: MonitoringForm, refused: bool) -> None:
    project_form.rows.filter(pk=project_form.rows.earliest("pk").pk).update(light="red")
    data = typed(project_form) if refused else None
    row_forms = FormEditView().row_forms(project_form, data)
    expected = TEMPLATE_LOOP.render(Context({"row_forms": row_forms, "object": project_form}))
    assert str(f.indicator_rows(project_form.pk, row_forms)) == expected
    assert "light light-red" in expected
    if refused:
        assert "第1行「截至本期实际完成值」" in expected and "第2行「完成可能性」" in expected


def test_refused_form_gives_back_the_rows_typed(project_form: MonitoringForm, users: dict[str, Any],
                                                login: Any) -> None:
    first = project_form.rows.earliest("pk")
    data = {"lock_version": project_form.lock_version, "contact_person": "李明", **typed(project_form)}
    page = login(users["unit_filler"]).post(reverse("monitoring:form_edit", kwargs={"pk": project_form.pk}), data)
    html = page.content.decode()
    assert page.status_code == 200
    assert "第1行「截至本期实际完成值」：" in html and 'value="' + "9" * 101 + '"' in html
    assert f'name="row-{first.pk}-reasons" value="经费保障" id="id_row-{first.pk}-reasons_0" checked' in html
    assert "&lt;b&gt;&quot;原因&quot;&lt;/b&gt; &amp; 其他" in html and "<b>" not in html
