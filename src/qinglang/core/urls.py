from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import path

from qinglang.core import views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("status/", views.status_partial, name="status"),
    path("login/", login_not_required(views.LoginView.as_view()), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
]
