from django.apps import AppConfig


class TestAppConfig(AppConfig):
    """A document type used only by the workflow engine's own tests (installed only under pytest)."""

    name = "jixiao.workflow.tests.testapp"
    label = "workflow_testapp"
