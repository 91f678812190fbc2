from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "jixiao.api"
    verbose_name = "数据接口"

    def ready(self) -> None:
        from jixiao.core.navigation import NavItem, register

        register(NavItem("system", "接口令牌", "api:token_list", "api.apitoken"))
