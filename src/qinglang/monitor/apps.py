from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from qinglang.core.navigation import NavEntry
from qinglang.org.roles import Role

_DESK = (Role.ADMIN, Role.DUTY_OFFICER, Role.ANALYST)


class MonitorConfig(AppConfig):
    name = "qinglang.monitor"
    label = "monitor"
    verbose_name = _("Opinion monitoring")
    # Search, reports and sources are reached from the monitor's own tab bar.
    nav_entries = (
        NavEntry(_("Events"), "monitor-events", icon="◉", roles=_DESK, order=10),
        NavEntry(_("Alerts"), "monitor-alerts", icon="⚠", roles=_DESK, order=11),
        NavEntry(_("Watched enterprises"), "monitor-watched", icon="★", roles=_DESK, order=12),
    )
