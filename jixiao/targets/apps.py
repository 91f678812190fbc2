from django.apps import AppConfig


class TargetsConfig(AppConfig):
    name = "jixiao.targets"
    verbose_name = "绩效目标管理"

    def ready(self) -> None:
        from jixiao.core.navigation import NavItem, register
        from jixiao.core.views_home import REVIEW_QUEUES
        from jixiao.deadlines.registry import register_provider
        from jixiao.targets import reporttypes, workflows  # noqa: F401  (registers the workflow and report type)
        from jixiao.targets.queues import due_declarations, review_queue

        REVIEW_QUEUES.append(review_queue)
        register_provider(due_declarations)

        register(
            NavItem("targets", "绩效目标申报表", "targets:declaration_list", "targets.targetdeclaration"),
            NavItem("targets", "待填报项目", "targets:missing", "targets.targetdeclaration", "add"),
            NavItem("targets", "六同步完成情况", "targets:completeness", "targets.completeness"),
            NavItem("targets", "指标库", "targets:library_list", "targets.indicatorlibraryitem"),
        )
