from django.apps import AppConfig


class OrganisationConfig(AppConfig):
    name = "jixiao.organisation"
    verbose_name = "预算单位与项目"

    def ready(self) -> None:
        from jixiao.core.navigation import NavItem, register

        register(
            NavItem("budget", "预算单位", "organisation:unit_list", "organisation.budgetunit"),
            NavItem("budget", "预算项目", "organisation:project_list", "organisation.project"),
            NavItem("budget", "部门整体支出", "organisation:expenditure_list", "organisation.departmentexpenditure"),
            NavItem("budget", "导入预算数据", "organisation:import", "organisation.project", "import"),
            NavItem("budget", "导入记录", "organisation:import_batches", "organisation.importbatch"),
        )
