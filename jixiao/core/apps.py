from django.apps import AppConfig, apps
from django.db.models.signals import post_migrate


class CoreConfig(AppConfig):
    name = "jixiao.core"
    verbose_name = "公共"

    def ready(self) -> None:
        from jixiao.core.dbstats import analyse_after_migrate

        # post_migrate is sent once per app with models; analyse once, after the last of them.
        last = [config for config in apps.get_app_configs() if config.models_module is not None][-1]
        post_migrate.connect(analyse_after_migrate, sender=last, dispatch_uid="jixiao.core.analyse")

        from django_tasks.signals import task_finished

        from jixiao.core.jobs import on_task_finished

        # A job that raised leaves its record failed with a message, never "running".
        task_finished.connect(on_task_finished, dispatch_uid="jixiao.core.jobs")
