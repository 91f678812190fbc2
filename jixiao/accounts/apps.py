from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "jixiao.accounts"
    verbose_name = "用户与角色"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from jixiao.accounts.middleware import stamp_login
        from jixiao.core.navigation import NavItem, register

        user_logged_in.connect(stamp_login, dispatch_uid="jixiao.accounts.stamp_login")

        register(NavItem("system", "用户管理", "accounts:user_list", "accounts.user"))
        from jixiao.accounts import otp  # noqa: F401  (the session-limit signal receiver)
