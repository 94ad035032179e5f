from django.urls import path

from qinglang.evidence import views

urlpatterns = [
    path("", views.capture_list, name="evidence-list"),
    path("new/", views.capture_new, name="evidence-new"),
    path("batch/", views.batch_new, name="evidence-batch"),
    path("batch/<int:pk>/", views.batch_detail, name="evidence-batch-detail"),
    path("<str:public_id>/", views.capture_detail, name="evidence-detail"),
    path("<str:public_id>/progress/", views.capture_progress, name="evidence-progress"),
    path("<str:public_id>/download/", views.capture_download, name="evidence-download"),
    path("<str:public_id>/screenshot.png", views.capture_screenshot, name="evidence-screenshot"),
    path("<str:public_id>/share/", views.capture_share, name="evidence-share"),
    path("<str:public_id>/recapture/", views.capture_recapture, name="evidence-recapture"),
]
