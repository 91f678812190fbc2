from django.apps import AppConfig


class EvaluationConfig(AppConfig):
    name = "jixiao.evaluation"
    verbose_name = "绩效评价"

    def ready(self) -> None:
        from jixiao.core.navigation import NavItem, register
        from jixiao.evaluation import hooks, reporttypes, workflows  # noqa: F401  (registers workflows, due items, queues, report types)

        register(
            NavItem("evaluation", "绩效自评", "evaluation:selfeval_list", "evaluation.selfevaluation"),
            NavItem("evaluation", "下达自评任务", "evaluation:issue_tasks", "evaluation.selfevaluation", "add"),
            NavItem("evaluation", "上传自评表", "evaluation:selfeval_upload", "evaluation.selfevaluation", "import"),
            NavItem("evaluation", "逾期与未公开", "evaluation:overdue", "evaluation.deadlinereport"),
            NavItem("evaluation", "自评质量复核", "evaluation:recheck_list", "evaluation.recheck"),
            NavItem("evaluation", "复核抽样", "evaluation:round_list", "evaluation.recheckround"),
            NavItem("evaluation", "收到的自评表文件", "evaluation:table_list", "evaluation.tableupload"),
            NavItem("evaluation", "重点评价", "evaluation:keyeval_list", "evaluation.keyevaluation"),
            NavItem("evaluation", "第三方机构库", "evaluation:agency_list", "evaluation.agency"),
            NavItem("evaluation", "专家库", "evaluation:expert_list", "evaluation.expert"),
            NavItem("evaluation", "年度评价报告", "evaluation:summary", "evaluation.summary"),
            NavItem("evaluation", "评价参数", "evaluation:settings_list", "evaluation.evaluationyear"),
        )
