from django.apps import AppConfig


class DisclosureConfig(AppConfig):
    name = "jixiao.disclosure"
    verbose_name = "信息公开"

    def ready(self) -> None:
        from jixiao.core.navigation import NavItem, register
        from jixiao.disclosure import reporttypes  # noqa: F401  (report types register on import)

        register(
            NavItem("disclosure", "公开信息", "disclosure:publication_list", "disclosure.publication"),
            NavItem("disclosure", "未按期公开", "disclosure:tracking", "disclosure.tracking"),
            NavItem("disclosure", "导出公开网站", "disclosure:export", "disclosure.publication", "export"),
            NavItem("disclosure", "报告包", "disclosure:packages", "disclosure.portaljob"),
        )
