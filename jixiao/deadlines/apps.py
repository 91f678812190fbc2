from django.apps import AppConfig


class DeadlinesConfig(AppConfig):
    name = "jixiao.deadlines"
    verbose_name = "工作日历"

    def ready(self) -> None:
        from jixiao.core.navigation import NavItem, register

        register(
            NavItem("calendar", "年度工作日历", "deadlines:calendar", "deadlines.calendarentry"),
            NavItem("calendar", "待办与到期事项", "deadlines:due", "deadlines.calendarentry"),
        )
