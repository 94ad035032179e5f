from django.apps import AppConfig
from django.utils.translation import pgettext_lazy

from qinglang.core.navigation import NavEntry
from qinglang.org.roles import Role

STAFF = (Role.STATION_STAFF, Role.DUTY_OFFICER, Role.CASE_OFFICER, Role.LIAISON)


class EserviceConfig(AppConfig):
    name = "qinglang.eservice"
    label = "eservice"
    verbose_name = pgettext_lazy("eservice", "E-stations")
    public_entries = (
        NavEntry(pgettext_lazy("eservice", "Ask the e-station for help"), "eservice-public-form", icon="☎",
                 order=20),
        NavEntry(pgettext_lazy("eservice", "Track a request"), "eservice-public-track", icon="◎", order=21),
    )
    nav_entries = (
        NavEntry(pgettext_lazy("eservice", "E-stations"), "eservice-dashboard", icon="☎", roles=STAFF, order=50),
        NavEntry(pgettext_lazy("eservice", "Requests"), "eservice-requests", icon="✉", roles=STAFF, order=51),
        NavEntry(pgettext_lazy("eservice", "Stations"), "eservice-stations", icon="⌂", roles=STAFF, order=52),
        NavEntry(pgettext_lazy("eservice", "Request types"), "eservice-request-types", icon="☰",
                 roles=(Role.DUTY_OFFICER,), order=53),
    )

    def ready(self) -> None:
        # Import the tasks (and the text engine behind them) at start-up rather than inside the
        # first WeChat callback, which must answer within five seconds.
        from qinglang.eservice import tasks  # noqa: F401
