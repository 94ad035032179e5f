from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from qinglang.core.navigation import NavEntry


class CoreConfig(AppConfig):
    name = "qinglang.core"
    label = "core"
    verbose_name = _("Platform")
    nav_entries = (NavEntry(_("Dashboard"), "dashboard", icon="⌂", order=0),)

    def ready(self) -> None:
        # Importing the Celery app here makes @shared_task bind to it in every process.
        from qinglang import celery  # noqa: F401
