"""No-login URLs, mounted at the site root: the residents' pages, WeChat and Open311."""

from django.urls import path, re_path

from qinglang.eservice import public_views as views

FMT = r"\.(?P<fmt>json|xml)$"

urlpatterns = [
    path("service/", views.request_form, name="eservice-public-form"),
    path("service/track/", views.track, name="eservice-public-track"),
    path("service/stations/", views.station_directory, name="eservice-public-stations"),
    path("wechat/", views.wechat_callback, name="eservice-wechat"),
    re_path(r"^open311/v2/discovery" + FMT, views.open311_discovery, name="eservice-open311-discovery"),
    re_path(r"^open311/v2/services" + FMT, views.open311_services, name="eservice-open311-services"),
    re_path(r"^open311/v2/services/(?P<code>[-\w]+)" + FMT, views.open311_definition,
            name="eservice-open311-definition"),
    re_path(r"^open311/v2/requests" + FMT, views.open311_requests, name="eservice-open311-requests"),
    re_path(r"^open311/v2/requests/(?P<receipt_no>[A-Za-z0-9]+)" + FMT, views.open311_request,
            name="eservice-open311-request"),
]
