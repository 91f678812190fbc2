from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "jixiao.reports"
    verbose_name = "报告模板"

    def ready(self) -> None:
        from jixiao.core.navigation import NavItem, register

        register(NavItem("system", "报告模板", "reports:list", "reports.reporttemplate"))
