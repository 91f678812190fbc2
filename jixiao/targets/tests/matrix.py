"""This app's URLs in the permission matrix (tests/test_permission_matrix.py)."""

from __future__ import annotations

from typing import Any

from jixiao.accounts.roles import EXTERNAL_READERS

KEYS = ("a", "a_sub", "b")


def url_arguments(org: dict[str, Any], users: dict[str, Any]) -> dict[str, list[tuple[str, dict[str, Any], str]]]:
    from jixiao.targets.models import IndicatorLibraryItem, TargetDeclaration

    p = org["projects"]
    d = {k: TargetDeclaration.objects.create(kind="project", year=2021, unit=p[k].unit, sector=p[k].sector, project=p[k])
         for k in KEYS}
    item = IndicatorLibraryItem.objects.create(level1="产出指标", level2="数量指标", name="培训人次", unit="人次")
    per_declaration = ("targets:declaration_detail", "targets:declaration_edit", "targets:transition",
                       "targets:indicator_comments", "targets:adjust", "targets:add_from_library", "targets:declaration_docx")
    return {
        **{name: [(k, {"pk": d[k].pk}, k) for k in KEYS] for name in per_declaration},
        "targets:compare": [(k, {"pk": d[k].pk, "other": d[k].pk}, k) for k in KEYS],
        "targets:approve_budget": [(k, {"pk": p[k].pk}, k) for k in KEYS],
        "targets:library_edit": [("item", {"pk": item.pk}, "")],
    }


def expected(role: str, label: str, action: str, unit_key: str) -> int | None:
    if label == "targets.targetdeclaration" and unit_key and role in EXTERNAL_READERS:
        return 404  # external readers see targets only once approved; the fixture's are drafts
    return None
