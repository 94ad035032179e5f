from django.urls import path

from qinglang.monitor import views

urlpatterns = [
    path("", views.events, name="monitor-events"),
    path("events/<int:pk>/", views.event_detail, name="monitor-event"),
    path("events/<int:pk>/merge/", views.event_merge, name="monitor-event-merge"),
    path("events/<int:pk>/unmerge/", views.event_unmerge, name="monitor-event-unmerge"),
    path("documents/<int:pk>/move/", views.document_move, name="monitor-document-move"),
    path("watched/", views.watched, name="monitor-watched"),
    path("watched/<int:pk>/", views.watched_detail, name="monitor-watched-detail"),
    path("watched/<int:pk>/toggle/", views.watched_toggle, name="monitor-watched-toggle"),
    path("watched/<int:pk>/aliases/<int:alias_pk>/remove/", views.watched_alias_remove,
         name="monitor-watched-alias-remove"),
    path("alerts/", views.alerts, name="monitor-alerts"),
    path("alerts/live/", views.alerts_live, name="monitor-alerts-live"),
    path("alerts/<int:pk>/", views.alert_detail, name="monitor-alert"),
    path("alerts/<int:pk>/<slug:action>/", views.alert_action, name="monitor-alert-action"),
    path("rules/", views.rules, name="monitor-rules"),
    path("rules/<int:pk>/", views.rule_edit, name="monitor-rule"),
    path("rules/<int:pk>/toggle/", views.rule_toggle, name="monitor-rule-toggle"),
    path("search/", views.search_view, name="monitor-search"),
    path("sources/", views.sources, name="monitor-sources"),
    path("sources/import/", views.import_upload, name="monitor-import-upload"),
    path("rejects/<int:pk>/retry/", views.reject_retry, name="monitor-reject-retry"),
    path("imports/<int:pk>/", views.import_progress, name="monitor-import"),
    path("reports/", views.report_list, name="monitor-reports"),
    path("reports/<int:pk>/", views.report_detail, name="monitor-report"),
    path("reports/<int:pk>/export.<slug:fmt>", views.report_export, name="monitor-report-export"),
]
