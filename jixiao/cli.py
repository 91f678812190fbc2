"""The ``jixiao`` console script.

Product commands that need no database (``jixiao selfeval check``) run without Django;
everything else is a Django management command, so ``jixiao migrate`` and
``jixiao demo load`` work alike.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] == ["selfeval"]:
        from jixiao.rules.cli import main as selfeval_main

        return selfeval_main(args[1:])
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jixiao.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["jixiao", *args])
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
