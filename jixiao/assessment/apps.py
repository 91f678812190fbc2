from django.apps import AppConfig


class AssessmentConfig(AppConfig):
    name = "jixiao.assessment"
    verbose_name = "考核"

    def ready(self) -> None:
        from jixiao.assessment import reporttypes, workflows  # noqa: F401  (registers the workflow, the 通报)
        from jixiao.core.navigation import NavItem, register

        register(
            NavItem("assessment", "年度绩效管理工作考核", "assessment:overview", "assessment.unitassessment"),
            NavItem("assessment", "考核办法", "assessment:scheme", "assessment.assessmentscheme"),
        )
