from django.apps import AppConfig


class RectificationConfig(AppConfig):
    name = "jixiao.rectification"
    verbose_name = "整改管理"

    def ready(self) -> None:
        from jixiao.core.navigation import NavItem, register
        from jixiao.core.views_home import REVIEW_QUEUES
        from jixiao.deadlines.registry import register_provider
        from jixiao.rectification import workflows  # noqa: F401  (registers the workflow)
        from jixiao.rectification.services import due_rectifications, review_queue

        register(
            NavItem("application", "整改清单", "rectification:list", "rectification.rectification"),
            NavItem("application", "逾期未整改", "rectification:overdue", "rectification.rectification"),
        )
        register_provider(due_rectifications)
        REVIEW_QUEUES.append(review_queue)
