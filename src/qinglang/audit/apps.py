from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from qinglang.core.navigation import NavEntry
from qinglang.org.roles import Role


class AuditConfig(AppConfig):
    name = "qinglang.audit"
    label = "audit"
    verbose_name = _("Audit log")
    nav_entries = (NavEntry(_("Audit log"), "audit-status", icon="◈", roles=(Role.ADMIN,), order=900),)

    def ready(self) -> None:
        from qinglang.audit import signals  # noqa: F401  (login, logout and failed-login records)
