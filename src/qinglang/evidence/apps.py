from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from qinglang.core.navigation import NavEntry
from qinglang.org.roles import Role


class EvidenceConfig(AppConfig):
    name = "qinglang.evidence"
    label = "evidence"
    verbose_name = _("Evidence")
    # Police and other liaisons see what is shared with them, so they get the list too.
    nav_entries = (
        NavEntry(
            _("Evidence"),
            "evidence-list",
            icon="▣",
            roles=(Role.DUTY_OFFICER, Role.ANALYST, Role.CASE_OFFICER, Role.LIAISON),
            order=30,
        ),
    )
