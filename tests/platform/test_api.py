"""The machine API: token authentication, scoping, OpenAPI."""

from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.test import Client

from qinglang.audit.models import AuditEntry
from qinglang.core.models import ApiToken


def bearer(raw: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def test_openapi_schema_is_served(client: Client, db: None) -> None:
    schema = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/departments" in schema["paths"]
    assert client.get("/api/v1/docs").status_code == 200


def test_health_needs_no_token(client: Client, db: None) -> None:
    assert client.get("/api/v1/health").json()["database"] is True


def test_token_authenticates_and_scopes(client: Client, org: dict[str, Any]) -> None:
    _, raw = ApiToken.issue(org["outsider"], "外部单位同步脚本")
    assert client.get("/api/v1/departments").status_code == 401
    assert client.get("/api/v1/departments", **bearer("ql_not-a-token")).status_code == 401
    response = client.get("/api/v1/departments", **bearer(raw))
    assert response.status_code == 200
    assert [d["code"] for d in response.json()] == ["outsider"]
    assert client.get("/api/v1/me", **bearer(raw)).json()["username"] == "outsider"


def test_only_the_hash_is_stored_and_revoked_tokens_fail(client: Client, org: dict[str, Any]) -> None:
    token, raw = ApiToken.issue(org["duty"], "脚本")
    assert raw not in token.key_hash and ApiToken.objects.filter(key_hash=token.key_hash).exists()
    call_command("token", "revoke", token.prefix)
    assert client.get("/api/v1/me", **bearer(raw)).status_code == 401


def test_token_command_prints_a_working_key(client: Client, org: dict[str, Any], capsys: Any) -> None:
    call_command("token", "create", "police_liaison", "--name", "联络脚本")
    raw = capsys.readouterr().out.strip()
    assert client.get("/api/v1/me", **bearer(raw)).json()["role"] == "liaison"
    assert AuditEntry.objects.filter(action="api_token.issued").exists()


def test_audit_verify_is_for_administrators(client: Client, org: dict[str, Any]) -> None:
    _, admin_key = ApiToken.issue(org["admin"], "admin")
    _, duty_key = ApiToken.issue(org["duty"], "duty")
    assert client.get("/api/v1/audit/verify", **bearer(admin_key)).json()["ok"] is True
    assert client.get("/api/v1/audit/verify", **bearer(duty_key)).status_code == 403
    assert AuditEntry.objects.filter(action="auth.permission_denied", actor=org["duty"]).exists()
