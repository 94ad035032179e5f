from django.urls import path

from qinglang.audit import views

urlpatterns = [path("", views.chain_status, name="audit-status")]
