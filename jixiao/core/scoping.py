"""The one row-scoping mechanism (NetBox's ``RestrictedQuerySet`` pattern).

Every business model's manager is built from :class:`ScopedQuerySet`; every view, export and
API call starts from ``Model.objects.for_user(user, action)``. The model says where its owning
unit and sector are (``scope_unit_field``, ``scope_sector_field``); the user's role says which
scope applies (``jixiao.accounts.roles.ROLE_SCOPE``).

External readers (区人大, 区审计局) see a document once it has reached one of the model's
``reader_visible_states`` (finished documents only), and never a 涉密 row — one whose unit or
project is classified (``classified_fields``, derived from ``scope_unit_field`` and a ``project``
field when not declared) — unless the security administrator granted the account 涉密 access.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Generic, TypeVar

from django.db import models

if TYPE_CHECKING:
    from jixiao.accounts.models import User
    from jixiao.accounts.roles import Scope

M = TypeVar("M", bound=models.Model)


def permission_label(model: type[models.Model]) -> str:
    return getattr(model, "permission_label", model._meta.label_lower)


def classified_fields(model: type[models.Model]) -> tuple[str, ...]:
    """The boolean 涉密 flags that make a row of ``model`` classified (any one of them)."""
    declared = getattr(model, "classified_fields", None)
    if declared is not None:
        return tuple(declared)
    from django.core.exceptions import FieldDoesNotExist

    names = {f.name for f in model._meta.get_fields()}
    unit = getattr(model, "scope_unit_field", "unit")
    found = []
    if "is_classified" in names:
        found.append("is_classified")
    if unit:
        found.append(f"{unit}__is_classified")
    try:
        model._meta.get_field("project")
    except FieldDoesNotExist:
        pass
    else:
        found.append("project__is_classified")
    return tuple(found)


class ScopedQuerySet(models.QuerySet, Generic[M]):  # type: ignore[type-arg]
    def for_user(self, user: Any, action: str = "view") -> ScopedQuerySet[M]:
        """Rows of this model ``user`` may ``action``; empty when the role may not act at all."""
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        if not user.can(permission_label(self.model), action):
            return self.none()
        rows = self.scope(user, user.scope)
        from jixiao.accounts.roles import EXTERNAL_READERS

        if user.role in EXTERNAL_READERS:
            rows = rows.for_external_reader(user)
        return rows

    def for_external_reader(self, user: Any) -> ScopedQuerySet[M]:
        """Finished documents only (domain.md §1.2), and nothing 涉密 without a granted access."""
        rows = self
        states = getattr(self.model, "reader_visible_states", None)
        if states is not None:
            rows = rows.filter(state__in=states)
        if not getattr(user, "classified_access", False):
            flags = classified_fields(self.model)
            if flags:
                rows = rows.exclude(models.Q(*[models.Q(**{f: True}) for f in flags], _connector=models.Q.OR))
        return rows

    def scope(self, user: User, scope: Scope) -> ScopedQuerySet[M]:
        from jixiao.accounts.roles import Scope

        unit = getattr(self.model, "scope_unit_field", "unit")
        sector = getattr(self.model, "scope_sector_field", "sector")
        prefix = f"{unit}__" if unit else ""
        if scope == Scope.ALL:
            return self
        if scope == Scope.SECTOR:
            return self.filter(**{f"{sector}__in": user.sectors.all()})
        if scope == Scope.UNIT_TREE and user.unit_id:
            return self.filter(**{f"{prefix}root_id": user.unit.root_id if user.unit else None})
        if scope == Scope.OWN_UNIT and user.unit_id:
            return self.filter(**{unit: user.unit_id}) if unit else self.filter(pk=user.unit_id)
        if scope == Scope.ASSIGNED:
            return self.assigned_to(user)
        return self.none()

    def assigned_to(self, user: User) -> ScopedQuerySet[M]:
        """Rows assigned to a third-party agency or expert; models with engagements override."""
        return self.none()


class SharedQuerySet(ScopedQuerySet[M]):
    """District-wide records (registers, the finance bureau's own work, accounts): whoever holds
    the permission sees all of them."""

    def scope(self, user: User, scope: Scope) -> SharedQuerySet[M]:
        return self
