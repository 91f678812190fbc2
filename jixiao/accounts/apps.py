from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "jixiao.accounts"
    verbose_name = "用户与角色"

    def ready(self) -> None:
        from jixiao.core.navigation import NavItem, register

        register(NavItem("system", "用户管理", "accounts:user_list", "accounts.user"))
