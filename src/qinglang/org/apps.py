from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgConfig(AppConfig):
    name = "qinglang.org"
    label = "org"
    verbose_name = _("Organisation")

    def ready(self) -> None:
        from qinglang.org import signals  # noqa: F401  (connects the role-change audit)
