"""Department kinds and user roles. Kept apart from the models so app configs can import them."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class DepartmentKind(models.TextChoices):
    OFFICE = "office", _("Cyberspace affairs office")
    POLICE = "police", _("Public security (cyber police)")
    EDUCATION = "education", _("Education")
    ETHNIC_RELIGIOUS = "ethnic_religious", _("Ethnic and religious affairs")
    CIVIL_AFFAIRS = "civil_affairs", _("Civil affairs")
    MARKET_REGULATION = "market_regulation", _("Market regulation")
    FEDERATION = "federation", _("Federation of industry and commerce")
    TOWN_STATION = "town_station", _("Town e-station")
    VILLAGE_STATION = "village_station", _("Village e-station")
    ENTERPRISE = "enterprise", _("Enterprise")
    OTHER = "other", _("Other")


class Role(models.TextChoices):
    ADMIN = "admin", _("Administrator")
    DUTY_OFFICER = "duty_officer", _("Duty officer")
    ANALYST = "analyst", _("Analyst")
    CASE_OFFICER = "case_officer", _("Case officer")
    LIAISON = "liaison", _("Department liaison")
    STATION_STAFF = "station_staff", _("Station staff")
    REPORTER = "reporter", _("Enterprise reporter")
