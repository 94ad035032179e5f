"""The ``qinglang`` console script: Django's management commands without a manage.py path."""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qinglang.settings")
    from django.core.management import execute_from_command_line

    args = sys.argv[1:] if argv is None else argv
    execute_from_command_line(["qinglang", *args])


if __name__ == "__main__":
    main()
