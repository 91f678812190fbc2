"""The target declaration's indicator grid, written in Python, is the markup of the template loop it
replaced (ids, values, selects, htmx parse preview, delete boxes, errors), and a refused form shows it."""

from __future__ import annotations

from typing import Any

import pytest
from django.template import Context, Template
from django.urls import reverse

from jixiao.targets import forms as f
from jixiao.targets.models import TargetDeclaration

pytestmark = pytest.mark.django_db

#: ``targets/declaration_form.html``'s indicator loop before the grid was written in Python.
TEMPLATE_LOOP = Template(
    '{% for form in indicators %}<tr class="{% if form.errors %}row-error{% endif %}">{% for hidden in form.hidden_fields %}{{ hidden }}{% endfor %}\n'
    '<td>{{ forloop.counter }}</td><td>{{ form.level1 }}</td><td>{{ form.level2 }}{{ form.level2.errors }}</td><td>{{ form.name }}{{ form.name.errors }}</td>\n'
    '<td>{{ form.comparison }}</td><td>{{ form.value }}{{ form.value.errors }}</td><td>{{ form.unit }}</td>\n'
    '<td><span id="parse-{{ form.prefix }}" hx-get="{% url \'targets:parse_preview\' %}?prefix={{ form.prefix }}-" hx-include="[name=\'{{ form.prefix }}-comparison\'],[name=\'{{ form.prefix }}-value\'],[name=\'{{ form.prefix }}-unit\']" hx-trigger="load, input changed delay:400ms from:closest tr, change from:closest tr"></span></td>\n'
    '<td>{{ form.weight }}{{ form.weight.errors }}</td><td>{{ form.explanation }}</td><td>{{ form.data_source }}</td><td>{% if form.instance.pk %}{{ form.DELETE }}{% endif %}</td></tr>{% endfor %}'
)


def typed(declaration: TargetDeclaration) -> dict[str, Any]:
    """A refused POST: a level-2 indicator of another level 1, a name emptied, letters as a weight, markup
    typed as a value, a new row half filled."""
    rows = list(declaration.indicators.order_by("position"))
    data: dict[str, Any] = {"ind-TOTAL_FORMS": len(rows) + 2, "ind-INITIAL_FORMS": len(rows),
                            "ind-MIN_NUM_FORMS": 0, "ind-MAX_NUM_FORMS": 1000}
    for n, row in enumerate(rows):
        for name in ("level1", "level2", "name", "comparison", "value", "unit", "weight", "explanation", "data_source"):
            data[f"ind-{n}-{name}"] = getattr(row, name)
        data[f"ind-{n}-id"], data[f"ind-{n}-declaration"] = row.pk, declaration.pk
    data.update({"ind-0-level2": "社会效益指标", "ind-1-name": "", "ind-2-weight": "十五",
                 "ind-3-value": '<b>"明显"</b> & 改善', "ind-4-DELETE": "on", "ind-5-name": "新增的指标",
                 "ind-5-comparison": ">=", "ind-6-comparison": ">="})  # the comparison shown selected, as a browser sends it
    return data


@pytest.mark.parametrize("refused", [False, True])
def test_grid_is_the_template_loops_markup(declaration: TargetDeclaration, refused: bool) -> None:
    formset = f.IndicatorFormSet(typed(declaration) if refused else None, instance=declaration, prefix="ind")
    expected = TEMPLATE_LOOP.render(Context({"indicators": formset}))
    assert str(f.indicator_rows(formset)) == expected
    assert expected.count("<tr") == declaration.indicators.count() + 2
    if refused:
        assert expected.count('class="row-error"') == 4


def test_refused_form_gives_back_the_grid_typed(declaration: TargetDeclaration, users: dict[str, Any],
                                                login: Any) -> None:
    data = {"annual_goal": declaration.annual_goal, "lock_version": declaration.lock_version, **typed(declaration)}
    page = login(users["unit_filler"]).post(reverse("targets:declaration_edit", kwargs={"pk": declaration.pk}), data)
    html = page.content.decode()
    assert page.status_code == 200
    assert "二级指标「社会效益指标」不属于「产出指标」。" in html
    assert 'name="ind-2-weight" value="十五"' in html and 'name="ind-5-name" value="新增的指标"' in html
    assert 'value="&lt;b&gt;&quot;明显&quot;&lt;/b&gt; &amp; 改善"' in html
    assert 'name="ind-4-DELETE" id="id_ind-4-DELETE" checked' in html
    assert 'hx-include="[name=\'ind-0-comparison\'],[name=\'ind-0-value\'],[name=\'ind-0-unit\']"' in html
