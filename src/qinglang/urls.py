from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from qinglang.core import views as core_views
from qinglang.core.api import api

admin.site.site_header = settings.SITE_NAME
admin.site.site_title = settings.SITE_NAME

handler403 = "qinglang.core.views.permission_denied"

urlpatterns = [
    path("", include("qinglang.core.urls")),
    path("audit/", include("qinglang.audit.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("healthz", core_views.healthz, name="healthz"),
]
