from __future__ import annotations

from typing import Any, ClassVar

from django.contrib import messages
from django.contrib.auth import login, logout
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View

from jixiao.accounts.forms import (
    LoginForm,
    PasswordChangeForm,
    RoleAssignForm,
    UserActiveForm,
    UserCreateForm,
    UserEditForm,
)
from jixiao.accounts.models import User
from jixiao.accounts.roles import ADMIN_ROLES, Role
from jixiao.accounts.services import LoginRefused, attempt_login, change_password, unlock
from jixiao.audit.models import EventType, Outcome
from jixiao.audit.services import log_event
from jixiao.core.crypto import blind_index, mask_phone
from jixiao.core.listing import Column
from jixiao.core.types import AuthedRequest
from jixiao.core.views import FilterForm, ScopedDetailView, ScopedListView, ScopedUpdateView, ScopedView


class LoginView(View):
    def get(self, request: AuthedRequest) -> HttpResponse:
        if request.user.is_authenticated:
            return redirect("core:home")
        note = "您长时间未操作，已自动退出，请重新登录。" if request.GET.get("timeout") else ""
        return render(request, "accounts/login.html", {"form": LoginForm(), "note": note, "title": "登录"})

    def post(self, request: AuthedRequest) -> HttpResponse:
        form = LoginForm(request.POST)
        if form.is_valid():
            try:
                user = attempt_login(request, form.cleaned_data["username"], form.cleaned_data["password"])
            except LoginRefused as exc:
                form.add_error(None, str(exc))
                status = 429 if exc.throttled else 200
                return render(request, "accounts/login.html", {"form": form, "title": "登录"}, status=status)
            else:
                login(request, user)
                target = request.GET.get("next", "")
                if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
                    target = ""
                return redirect(target or "core:home")
        return render(request, "accounts/login.html", {"form": form, "title": "登录"}, status=200)


class LogoutView(View):
    def post(self, request: AuthedRequest) -> HttpResponse:
        if request.user.is_authenticated:
            log_event(EventType.LOGOUT, request=request)
        logout(request)
        return redirect("accounts:login")


class PasswordChangeView(View):
    def get(self, request: AuthedRequest) -> HttpResponse:
        return self.show(request, PasswordChangeForm(request.user))

    def show(self, request: AuthedRequest, form: PasswordChangeForm) -> HttpResponse:
        forced = request.user.password_expired()
        return render(request, "core/form.html", {
            "form": form, "title": "修改密码",
            "lock_version": None,
        } | ({"intro": "密码已过期或为初始密码，请先修改密码。"} if forced else {}))

    def post(self, request: AuthedRequest) -> HttpResponse:
        form = PasswordChangeForm(request.user, request.POST)
        if not form.is_valid():
            return self.show(request, form)
        change_password(request.user, form.cleaned_data["new_password1"], request)
        from django.contrib.auth import update_session_auth_hash

        update_session_auth_hash(request, request.user)
        messages.success(request, "密码已修改。")
        return redirect("core:home")


def _role_filter_form() -> type[FilterForm]:
    from django import forms

    class F(FilterForm):
        role = forms.ChoiceField(label="角色", required=False, choices=[("", "全部"), *Role.choices])

    return F


class UserListView(ScopedListView):
    model = User
    title = "用户管理"
    filter_form_class = _role_filter_form()
    search_fields = ("username", "real_name", "unit__name", "agency_name")
    default_sort = "username"
    select_related = ("unit",)
    detail_url_name = "accounts:user_detail"
    create_url_name = "accounts:user_create"
    columns: ClassVar[list[Column]] = [
        Column("username", "用户名", sort="username", kind="code"),
        Column("real_name", "姓名", sort="real_name"),
        Column("role", "角色", "get_role_display", sort="role"),
        Column("unit", "所属单位", "unit.name", sort="unit__code"),
        Column("agency_name", "所属机构"),
        Column("is_active", "启用", kind="bool"),
        Column("locked_until", "锁定至"),
        Column("last_login", "最近登录", sort="last_login"),
    ]

    def filter_queryset(self, qs: Any, data: dict[str, Any]) -> Any:
        q = (data.get("q") or "").strip()
        if q.isdigit() and len(q) >= 7:
            # Phone numbers are stored encrypted: found by their keyed hash (exact number only).
            qs = qs.filter(phone_index=blind_index(q))
        else:
            qs = super().filter_queryset(qs, data)
        return qs.filter(role=data["role"]) if data.get("role") else qs


class UserDetailView(ScopedDetailView):
    model = User
    template_name = "accounts/user_detail.html"
    edit_url_name = "accounts:user_edit"
    fields: ClassVar[list[Column]] = [
        Column("username", "用户名", kind="code"), Column("real_name", "姓名"), Column("role", "角色", "get_role_display"),
        Column("unit", "所属单位", "unit.name"),
        Column("sectors", "分管行业", lambda u: "、".join(s.name for s in u.sectors.all())),
        Column("agency_name", "所属机构"), Column("phone", "联系电话", lambda u: mask_phone(u.phone)),
        Column("is_active", "启用", kind="bool"), Column("valid_until", "账号有效期至"),
        Column("locked_until", "锁定至"), Column("password_changed_at", "密码修改时间"),
        Column("last_login", "最近登录"),
    ]

    def extra_context(self, obj: Any) -> dict[str, Any]:
        user = self.request.user
        return {
            "can_assign_role": user.can("accounts.user", "assign_role") and may_assign_role(user, obj),
            "can_unlock": user.can("accounts.user", "change") and obj.is_locked(),
            "can_set_active": user.can("accounts.user", "disable") and may_set_active(user, obj),
            "can_reset_otp": user.can("accounts.user", "reset_otp") and obj.pk != user.pk,
        }


class UserCreateView(ScopedView):
    model = User
    permission_action = "add"

    def get(self, request: AuthedRequest) -> HttpResponse:
        return render(request, "core/form.html", {"form": UserCreateForm(), "title": "新增用户", "lock_version": None})

    def post(self, request: AuthedRequest) -> HttpResponse:
        form = UserCreateForm(request.POST)
        if not form.is_valid():
            return render(request, "core/form.html", {"form": form, "title": "新增用户", "lock_version": None})
        user = form.save(commit=False)
        user.set_password(form.cleaned_data["password"])
        user.must_change_password = True
        user.role = ""
        user.save()
        log_event(EventType.USER_CREATE, request=request, obj=user, target=user.username)
        messages.success(request, f"已创建用户 {user.username}，请安全管理员为其分配角色。")
        return redirect("accounts:user_detail", pk=user.pk)


IDENTITY_FIELDS = ("real_name", "phone", "valid_until")


def identity(user: User) -> dict[str, str]:
    return {"real_name": user.real_name, "phone": mask_phone(user.phone), "valid_until": str(user.valid_until or "")}


def may_assign_role(actor: User, target: User) -> bool:
    """Nobody changes their own role, and no administrator changes another administrator's role."""
    return actor.pk != target.pk and target.role not in ADMIN_ROLES


def may_set_active(actor: User, target: User) -> bool:
    """Business accounts: the system administrator. Administrator accounts: an administrator of another kind."""
    if actor.pk == target.pk:
        return False
    if target.role in ADMIN_ROLES:
        return actor.role in ADMIN_ROLES and actor.role != target.role
    return actor.role == Role.SYS_ADMIN


def refuse(request: AuthedRequest, target: User, why: str) -> PermissionDenied:
    log_event(EventType.PERMISSION_DENIED, request=request, outcome=Outcome.DENIED, obj=target,
              path=request.path, reason=why)
    return PermissionDenied(why)


class UserEditView(ScopedUpdateView):
    model = User
    form_class = UserEditForm
    success_url_name = "accounts:user_detail"

    def post(self, request: AuthedRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        before = identity(self.get_object())
        response = super().post(request, *args, **kwargs)
        after_user = User.objects.get(pk=kwargs["pk"])
        after = identity(after_user)
        changed = sorted(k for k in IDENTITY_FIELDS if before[k] != after[k])
        if changed:
            log_event(EventType.USER_EDIT, request=request, obj=after_user, target=after_user.username,
                      fields=changed, before={k: before[k] for k in changed}, after={k: after[k] for k in changed})
        return response


class UserActiveView(ScopedView):
    """停用/启用账号, with a reason; an administrator account needs an administrator of another kind."""

    model = User
    permission_action = "disable"

    def target(self) -> User:
        target: User = self.get_object()
        if not may_set_active(self.request.user, target):
            raise refuse(self.request, target, "不能停用或启用自己的账号或同类管理员的账号；业务账号由系统管理员停用。")
        return target

    def show(self, request: AuthedRequest, target: User, form: UserActiveForm) -> HttpResponse:
        action = "停用" if target.is_active else "启用"
        return render(request, "core/form.html", {"form": form, "title": f"{action}账号：{target}", "lock_version": None})

    def get(self, request: AuthedRequest, pk: int) -> HttpResponse:
        target = self.target()
        return self.show(request, target, UserActiveForm())

    def post(self, request: AuthedRequest, pk: int) -> HttpResponse:
        from jixiao.accounts.services import set_active

        target = self.target()
        form = UserActiveForm(request.POST)
        if not form.is_valid():
            return self.show(request, target, form)
        set_active(target, not target.is_active, by=request.user, reason=form.cleaned_data["reason"], request=request)
        messages.success(request, f"已{'启用' if target.is_active else '停用'}账号 {target.username}。")
        return redirect("accounts:user_detail", pk=target.pk)


class RoleAssignView(ScopedUpdateView):
    model = User
    permission_action = "assign_role"
    form_class = RoleAssignForm
    success_url_name = "accounts:user_detail"

    def form(self, obj: Any, data: Any = None) -> RoleAssignForm:
        return RoleAssignForm(data, instance=obj, by=self.request.user)

    def get_object(self, action: str | None = None) -> Any:
        obj = super().get_object(action)
        if not may_assign_role(self.request.user, obj):
            raise refuse(self.request, obj, "不能修改自己的角色，也不能修改其他管理员的角色。")
        return obj

    def post(self, request: AuthedRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        obj = self.get_object()
        before = scope_of(obj)
        response = super().post(request, *args, **kwargs)
        obj.refresh_from_db()
        after = scope_of(obj)
        if before != after:
            log_event(EventType.ROLE_CHANGE, request=request, obj=obj, target=obj.username, before=before, after=after)
        return response


def scope_of(user: User) -> dict[str, Any]:
    """The role and data scope (agency and unit bindings, 涉密 access): every change of it is in the security log."""
    return {"role": user.role, "unit": user.unit_id, "agency_name": user.agency_name,
            "sectors": sorted(user.sectors.values_list("pk", flat=True)), "classified_access": user.classified_access}


class UnlockView(ScopedView):
    model = User
    permission_action = "change"

    def post(self, request: AuthedRequest, pk: int) -> HttpResponse:
        account = self.get_object()
        unlock(account, request.user, request)
        messages.success(request, f"已解锁 {account.username}。")
        return redirect("accounts:user_detail", pk=account.pk)
