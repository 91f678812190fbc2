"""Write every registered report type's built-in template (.docx, committed next to its app):

    DJANGO_SETTINGS_MODULE=jixiao.settings python -m jixiao.reports.build [code …]
"""

from __future__ import annotations

import sys


def main(codes: list[str]) -> None:
    import django

    django.setup()
    from jixiao.core import official
    from jixiao.reports.registry import all_types

    for report_type in all_types():
        if report_type.build is None or (codes and report_type.code not in codes):
            continue
        report_type.builtin.parent.mkdir(parents=True, exist_ok=True)
        report_type.builtin.write_bytes(official.to_bytes(report_type.build()))
        print(f"{report_type.code}: {report_type.builtin}")


if __name__ == "__main__":
    main(sys.argv[1:])
