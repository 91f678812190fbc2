from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    name = "jixiao.monitoring"
    verbose_name = "绩效运行监控"

    def ready(self) -> None:
        from jixiao.core.navigation import NavItem, register
        from jixiao.core.views_home import REVIEW_QUEUES
        from jixiao.deadlines.registry import register_provider
        from jixiao.monitoring import reporttypes, workflows  # noqa: F401  (registers the workflows and report types)
        from jixiao.monitoring.services import due_forms, review_queue

        register(
            NavItem("monitoring", "绩效监控情况表", "monitoring:form_list", "monitoring.monitoringform"),
            NavItem("monitoring", "监控汇总分析", "monitoring:dashboard", "monitoring.dashboard"),
            NavItem("monitoring", "监控轮次", "monitoring:round_list", "monitoring.monitoringround"),
            NavItem("monitoring", "国库支付数据", "monitoring:execution_list", "monitoring.executionrecord"),
            NavItem("monitoring", "导入国库支付数据", "monitoring:execution_import", "monitoring.executionimport", "import"),
            NavItem("monitoring", "重点监控", "monitoring:focus_list", "monitoring.focusitem"),
            NavItem("monitoring", "监控报告", "monitoring:report_list", "monitoring.reportjob"),
        )
        from jixiao.monitoring.summary import connect

        connect()
        register_provider(due_forms)
        REVIEW_QUEUES.append(review_queue)
