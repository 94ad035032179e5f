"""No-login pages mounted at the root: the enterprise/citizen report form and the status look-up."""

from django.urls import path

from qinglang.cases import public_views

urlpatterns = [
    path("report/", public_views.report_form, name="cases-public-report"),
    path("report/receipt/", public_views.receipt, name="cases-public-receipt"),
    path("report/status/", public_views.lookup, name="cases-public-lookup"),
]
