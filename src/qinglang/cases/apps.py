from django.apps import AppConfig
from django.utils.translation import pgettext_lazy

from qinglang.core.navigation import NavEntry
from qinglang.org.roles import Role

STAFF = (Role.DUTY_OFFICER, Role.CASE_OFFICER, Role.LIAISON)


class CasesConfig(AppConfig):
    name = "qinglang.cases"
    label = "cases"
    verbose_name = pgettext_lazy("cases", "Joint enforcement")
    public_entries = (
        NavEntry(pgettext_lazy("cases", "Report online harm to an enterprise"), "cases-public-report", icon="✉",
                 order=10),
        NavEntry(pgettext_lazy("cases", "Check a report's progress"), "cases-public-lookup", icon="◎", order=11),
    )
    nav_entries = (
        NavEntry(pgettext_lazy("cases", "Reports"), "cases-report-list", icon="✉", roles=STAFF, order=40),
        NavEntry(pgettext_lazy("cases", "Cases"), "cases-list", icon="⚖", roles=STAFF, order=41),
        NavEntry(pgettext_lazy("cases", "Joint operations"), "cases-operation-list", icon="◈", roles=STAFF, order=42),
        NavEntry(
            pgettext_lazy("cases", "Enterprise outreach"), "cases-outreach-list", icon="▲", roles=STAFF, order=43
        ),
        NavEntry(
            pgettext_lazy("cases", "Enforcement statistics"),
            "cases-stats",
            icon="▦",
            roles=(*STAFF, Role.ANALYST),
            order=44,
        ),
    )
