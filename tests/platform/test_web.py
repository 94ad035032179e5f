"""The web shell: login, throttling, dashboard, permissions, language, security headers."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from qinglang.audit.models import AuditEntry
from qinglang.core.models import Heartbeat
from qinglang.core.tasks import beat, worker_heartbeat
from tests.conftest import PASSWORD


def login(client: Client, username: str, password: str = PASSWORD) -> Any:
    return client.post(reverse("login"), {"username": username, "password": password})


def test_pages_need_a_login(client: Client, org: dict[str, Any]) -> None:
    response = client.get(reverse("dashboard"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_login_page_is_chinese_by_default(client: Client, db: None) -> None:
    page = client.get(reverse("login")).content.decode()
    assert 'lang="zh-hans"' in page and "登录" in page


def test_login_shows_the_dashboard_and_is_audited(client: Client, org: dict[str, Any]) -> None:
    response = login(client, "duty")
    assert response.status_code == 302
    page = client.get(reverse("dashboard")).content.decode()
    assert "工作台" in page and "值班员" in page and "测试市委网信办" in page
    assert AuditEntry.objects.filter(action="auth.login", actor=org["duty"]).exists()


def test_failed_login_is_audited_and_then_throttled(client: Client, org: dict[str, Any], settings: Any) -> None:
    settings.LOGIN_FAILURE_LIMIT = 3
    for _ in range(3):
        assert login(client, "duty", "wrong-password").status_code == 200
    assert AuditEntry.objects.filter(action="auth.login_failed", detail__username="duty").count() == 3
    # Even the right password is refused while the user name is throttled.
    response = login(client, "duty")
    assert response.status_code == 200 and "15" in response.content.decode()
    assert AuditEntry.objects.filter(action="auth.login_throttled").exists()
    assert not AuditEntry.objects.filter(action="auth.login").exists()


def test_logout_is_audited(client: Client, org: dict[str, Any]) -> None:
    client.force_login(org["duty"])
    client.post(reverse("logout"))
    assert AuditEntry.objects.filter(action="auth.logout", actor=org["duty"]).exists()


def test_permission_denial_is_audited_and_shown(client: Client, org: dict[str, Any]) -> None:
    client.force_login(org["outsider"])
    response = client.get(reverse("audit-status"))
    assert response.status_code == 403 and "无权" in response.content.decode()
    entry = AuditEntry.objects.get(action="auth.permission_denied")
    assert entry.actor == org["outsider"] and entry.detail["path"] == reverse("audit-status")


def test_administrator_sees_the_audit_page_in_navigation(client: Client, org: dict[str, Any]) -> None:
    client.force_login(org["admin"])
    assert reverse("audit-status") in client.get(reverse("dashboard")).content.decode()
    assert "审计链完整" in client.get(reverse("audit-status")).content.decode()
    client.force_login(org["duty"])
    assert reverse("audit-status") not in client.get(reverse("dashboard")).content.decode()


def test_dashboard_shows_worker_heartbeat(client: Client, org: dict[str, Any]) -> None:
    client.force_login(org["duty"])
    worker_heartbeat()  # what the worker runs on the scheduler's behalf
    status = client.get(reverse("status")).content.decode()
    assert 'data-component="worker"' in status
    assert status.count('class="ok"') == 1  # worker alive, scheduler never seen
    beat("scheduler")
    Heartbeat.objects.filter(component="worker").update(at=timezone.now() - timedelta(minutes=10))
    status = client.get(reverse("status")).content.decode()
    assert 'class="down" data-component="worker"' in status
    assert 'class="ok" data-component="scheduler"' in status


def test_chinese_even_when_the_browser_asks_for_english(client: Client, db: None) -> None:
    page = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert 'lang="zh-hans"' in page and "登录" in page


def test_english_switch(client: Client, org: dict[str, Any]) -> None:
    client.force_login(org["duty"])
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    page = client.get(reverse("dashboard")).content.decode()
    assert "Workbench" in page and 'lang="en"' in page


def test_security_headers(client: Client, db: None) -> None:
    response = client.get(reverse("login"))
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_production_defaults_are_secure(settings: Any) -> None:
    # Tests run with nothing set, which is production mode: DEBUG off, secure cookies.
    assert settings.DEBUG is False
    assert settings.SESSION_COOKIE_SECURE and settings.CSRF_COOKIE_SECURE
    assert settings.SESSION_COOKIE_HTTPONLY
    assert len(settings.AUTH_PASSWORD_VALIDATORS) >= 4


def test_healthz(client: Client, db: None) -> None:
    body = client.get("/healthz").json()
    assert body == {"database": True, "worker": False, "scheduler": False}


@pytest.mark.parametrize("path", ["/admin/", "/audit/", "/status/"])
def test_every_page_needs_login(client: Client, db: None, path: str) -> None:
    assert client.get(path).status_code == 302


def test_login_page_lists_the_public_services(client: Client, db: None) -> None:
    page = client.get(reverse("login")).content.decode()
    assert "公众服务" in page
    assert reverse("cases-public-report") in page and reverse("eservice-public-form") in page
