from django.apps import AppConfig


class AuditlinkConfig(AppConfig):
    name = "jixiao.auditlink"
    verbose_name = "财审联动"

    def ready(self) -> None:
        from jixiao.core.navigation import NavItem, register

        register(
            NavItem("assessment", "财审联动工作方案", "auditlink:plan", "auditlink.auditworkplan"),
            NavItem("assessment", "登记审计发现问题", "auditlink:finding_new", "rectification.rectification", "audit"),
            NavItem("assessment", "审计发现问题整改", "auditlink:finding_list", "rectification.rectification"),
            NavItem("assessment", "审计数据包", "auditlink:package", "auditlink.datapackage"),
        )
