"""Staff pages, mounted at /eservice/ (login required)."""

from django.urls import path

from qinglang.eservice import views

urlpatterns = [
    path("", views.dashboard, name="eservice-dashboard"),
    path("requests/", views.request_list, name="eservice-requests"),
    path("requests/new/", views.request_new, name="eservice-request-new"),
    path("requests/export.xlsx", views.export, name="eservice-export"),
    path("requests/<str:receipt_no>/", views.request_detail, name="eservice-request"),
    path("requests/<str:receipt_no>/reveal/", views.reveal, name="eservice-request-reveal"),
    path("requests/<str:receipt_no>/<slug:action>/", views.request_action, name="eservice-request-action"),
    path("stations/", views.station_list, name="eservice-stations"),
    path("stations/<slug:code>/edit/", views.station_edit, name="eservice-station-edit"),
    path("types/", views.request_types, name="eservice-request-types"),
    path("types/new/", views.request_type_edit, name="eservice-request-type-new"),
    path("types/<int:pk>/", views.request_type_edit, name="eservice-request-type-edit"),
]
