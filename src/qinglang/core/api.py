"""The machine API at /api/v1/ (OpenAPI docs at /api/v1/docs).

Machine clients send ``Authorization: Bearer <token>``; a signed-in browser session works too.
Each module adds its endpoints by defining ``router`` (a ninja Router) in its ``api.py``, and
optionally ``ROUTER_PREFIX`` (default ``/<app label>/``); ``discover_routers`` mounts them.
"""

from __future__ import annotations

import json
from datetime import datetime
from importlib import import_module
from typing import Any

from django.apps import apps
from django.http import HttpRequest
from django.utils import timezone
from django.utils.module_loading import module_has_submodule
from ninja import NinjaAPI, Schema
from ninja.errors import HttpError
from ninja.parser import Parser
from ninja.security import APIKeyCookie, HttpBearer

from qinglang.audit.services import record, verify_chain
from qinglang.core.models import ApiToken, hash_token
from qinglang.core.status import component_status, database_ok
from qinglang.engine.normalize import clean_text
from qinglang.org.models import Department, Role
from qinglang.org.scoping import visible_to


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        found = ApiToken.objects.select_related("user").filter(key_hash=hash_token(token), revoked=False).first()
        if found is None or not found.user.is_active:
            return None
        ApiToken.objects.filter(pk=found.pk).update(last_used=timezone.now())
        request.user = found.user
        return found.user


class SessionAuth(APIKeyCookie):
    """The browser's session cookie (CSRF is checked for unsafe methods by django-ninja)."""

    param_name = "sessionid"

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = getattr(request, "user", None)
        return user if user is not None and user.is_authenticated else None


def _cleaned(value: Any) -> Any:
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, list):
        return [_cleaned(v) for v in value]
    if isinstance(value, dict):
        return {_cleaned(k): _cleaned(v) for k, v in value.items()}
    return value


class CleanJsonParser(Parser):
    """JSON bodies with lone surrogate escapes ("\\ud800" is valid JSON, yet no database and no
    UTF-8 encoder takes it) turned into U+FFFD, so one stray character in a lead or a pushed
    item is that field's blemish, not a server error for the whole request."""

    def parse_body(self, request: HttpRequest) -> Any:
        return _cleaned(json.loads(request.body))   # ninja answers 400 to whatever this raises


api = NinjaAPI(
    title="清朗 Qinglang API",
    version="1",
    description="Machine interface of the Qinglang platform.",
    auth=[TokenAuth(), SessionAuth()],
    urls_namespace="api",
    parser=CleanJsonParser(),
)


class ComponentOut(Schema):
    component: str
    alive: bool
    last_seen: datetime | None
    age_seconds: int | None


class HealthOut(Schema):
    database: bool
    components: list[ComponentOut]


class DepartmentOut(Schema):
    id: int
    name: str
    code: str
    kind: str
    parent_id: int | None


class MeOut(Schema):
    username: str
    display_name: str
    role: str
    department: DepartmentOut | None


class AuditVerifyOut(Schema):
    ok: bool
    checked: int
    broken_seq: int | None
    reason: str


@api.get("/health", auth=None, response=HealthOut, tags=["platform"])
def health(request: HttpRequest) -> dict[str, Any]:
    ok = database_ok()
    return {"database": ok, "components": component_status() if ok else []}


@api.get("/me", response=MeOut, tags=["platform"])
def me(request: HttpRequest) -> Any:
    return request.user


@api.get("/departments", response=list[DepartmentOut], tags=["organisation"])
def departments(request: HttpRequest) -> Any:
    return visible_to(request.user, Department.objects.all(), field=None)


@api.get("/audit/verify", response=AuditVerifyOut, tags=["audit"])
def audit_verify(request: HttpRequest) -> Any:
    user: Any = request.user
    if not user.has_role(Role.ADMIN):
        record("auth.permission_denied", actor=user, detail={"path": request.path})
        raise HttpError(403, "Only administrators may verify the audit chain.")
    return verify_chain()


def discover_routers() -> NinjaAPI:
    """Mount every installed module's ``api.router``; called once from the URL configuration."""
    if getattr(api, "_routers_discovered", False):
        return api
    for config in apps.get_app_configs():
        if not config.name.startswith("qinglang.") or config.name == "qinglang.core":
            continue
        if not module_has_submodule(config.module, "api"):
            continue
        module = import_module(f"{config.name}.api")
        router = getattr(module, "router", None)
        if router is not None:
            api.add_router(getattr(module, "ROUTER_PREFIX", f"/{config.label}/"), router)
    api._routers_discovered = True  # type: ignore[attr-defined]
    return api
