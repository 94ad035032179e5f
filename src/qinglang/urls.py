"""URLs. Each module's ``urls.py`` is mounted at ``/<app label>/`` (signed-in pages) and its
``public_urls.py``, if any, at the root (intake pages and callbacks that need no login; their
views are marked ``login_not_required`` and rate-limited)."""

from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path
from django.utils.module_loading import module_has_submodule

from qinglang.core import views as core_views
from qinglang.core.api import discover_routers

admin.site.site_header = settings.SITE_NAME
admin.site.site_title = settings.SITE_NAME

handler403 = "qinglang.core.views.permission_denied"

# Modules with URLs of their own; core is mounted at the root below.
MODULE_APPS = [c for c in apps.get_app_configs() if c.name.startswith("qinglang.") and c.label != "core"]


def module_patterns() -> list[URLPattern | URLResolver]:
    patterns: list[URLPattern | URLResolver] = []
    for config in MODULE_APPS:
        if module_has_submodule(config.module, "public_urls"):
            patterns.append(path("", include(f"{config.name}.public_urls")))
        if module_has_submodule(config.module, "urls"):
            patterns.append(path(f"{config.label}/", include(f"{config.name}.urls")))
    return patterns


urlpatterns = [
    path("", include("qinglang.core.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/", discover_routers().urls),
    path("healthz", core_views.healthz, name="healthz"),
    *module_patterns(),
]
