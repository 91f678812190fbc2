from dataclasses import replace

from django.apps import AppConfig


class ApplicationConfig(AppConfig):
    name = "jixiao.application"
    verbose_name = "结果应用"

    def ready(self) -> None:
        from jixiao.application import reporttypes, workflows  # noqa: F401  (registers the workflow and report type)
        from jixiao.application.services import last_year, link_next_year, overdue_block
        from jixiao.core.navigation import NavItem, register
        from jixiao.organisation.imports import AFTER_PROJECT_IMPORT
        from jixiao.targets.views import PANELS
        from jixiao.workflow.engine import REGISTRY

        register(
            NavItem("application", "结果应用建议", "application:board", "application.proposal"),
            NavItem("application", "结果应用规则", "application:rules", "application.applicationruleset"),
        )
        AFTER_PROJECT_IMPORT.append(link_next_year)
        PANELS.append(("application/_last_year.html", last_year))
        # 六同步: an N+1 target of a project whose rectification is overdue needs the performance section's override.
        targets = REGISTRY["target_declaration"]
        if overdue_block not in targets.guards:
            REGISTRY["target_declaration"] = replace(targets, guards=(*targets.guards, overdue_block))
