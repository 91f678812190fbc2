from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "jixiao.audit"
    verbose_name = "审计与安全日志"

    def ready(self) -> None:
        from jixiao.core.navigation import NavItem, register

        register(NavItem("system", "安全日志", "audit:security_log", "audit.securityevent"))
