"""Writing to and verifying the audit chain. Every module logs through ``record``."""

from __future__ import annotations

import contextvars
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from qinglang.audit.models import GENESIS_HASH, AuditEntry, AuditHead


@dataclass(frozen=True)
class AuditContext:
    actor: Any = None
    ip: str | None = None


# Set per request by the middleware, so that code deep in a service need not pass the user down.
current_context: contextvars.ContextVar[AuditContext | None] = contextvars.ContextVar(
    "qinglang_audit_context", default=None
)


def canonical_content(
    *, seq: int, at: datetime, actor_id: int | None, actor_name: str, action: str,
    target_type: str, target_id: str, detail: Any, ip: str | None,
) -> str:
    """The exact text that is hashed: stable key order, UTC time, no whitespace."""
    payload = {
        "seq": seq,
        "at": at.astimezone(UTC).isoformat(timespec="microseconds"),
        "actor_id": actor_id,
        "actor_name": actor_name,
        "action": action,
        "target_type": target_type,
        "target_id": target_id,
        "detail": detail,
        "ip": ip,
    }
    return json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def chain_hash(prev_hash: str, content: str) -> str:
    return hashlib.sha256((prev_hash + content).encode("utf-8")).hexdigest()


def _entry_content(entry: AuditEntry) -> str:
    return canonical_content(
        seq=entry.seq, at=entry.at, actor_id=entry.actor_id, actor_name=entry.actor_name,
        action=entry.action, target_type=entry.target_type, target_id=entry.target_id,
        detail=entry.detail, ip=entry.ip,
    )


def _target_fields(target: models.Model | None) -> tuple[str, str]:
    if target is None:
        return "", ""
    return target._meta.label_lower, str(target.pk)


def record(
    action: str,
    *,
    actor: Any = None,
    target: models.Model | None = None,
    detail: dict[str, Any] | None = None,
    ip: str | None = None,
) -> AuditEntry:
    """Append one entry to the chain. ``actor`` and ``ip`` default to the current request's."""
    context = current_context.get() or AuditContext()
    actor = actor if actor is not None else context.actor
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    target_type, target_id = _target_fields(target)
    # JSON round trip so that what is hashed is exactly what the database gives back later.
    clean_detail = json.loads(json.dumps(detail or {}, ensure_ascii=False, default=str))
    with transaction.atomic():
        head, _ = AuditHead.objects.select_for_update().get_or_create(pk=1)
        entry = AuditEntry(
            seq=head.last_seq + 1,
            at=timezone.now(),
            actor=actor,
            actor_name=str(getattr(actor, "username", "")) if actor is not None else "",
            action=action,
            target_type=target_type,
            target_id=target_id,
            detail=clean_detail,
            ip=ip if ip is not None else context.ip,
            prev_hash=head.last_hash,
        )
        entry.hash = chain_hash(entry.prev_hash, _entry_content(entry))
        entry.save(force_insert=True)
        AuditHead.objects.filter(pk=1).update(last_seq=entry.seq, last_hash=entry.hash)
    return entry


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    checked: int
    broken_seq: int | None = None
    reason: str = ""


def _entries() -> Iterator[AuditEntry]:
    return AuditEntry.objects.order_by("seq").iterator(chunk_size=2000)


def verify_chain() -> VerifyResult:
    """Walk the chain from the start; report the first link that does not hold."""
    expected_prev = GENESIS_HASH
    expected_seq = 1
    checked = 0
    for entry in _entries():
        if entry.seq != expected_seq:
            return VerifyResult(False, checked, expected_seq, f"entry {expected_seq} is missing (next is {entry.seq})")
        if entry.prev_hash != expected_prev:
            return VerifyResult(False, checked, entry.seq, "previous-hash link does not match the entry before it")
        if chain_hash(entry.prev_hash, _entry_content(entry)) != entry.hash:
            return VerifyResult(False, checked, entry.seq, "content does not match its hash (edited)")
        expected_prev = entry.hash
        expected_seq += 1
        checked += 1
    head = AuditHead.objects.filter(pk=1).first()
    head_seq, head_hash = (head.last_seq, head.last_hash) if head else (0, GENESIS_HASH)
    if head_seq != checked or head_hash != expected_prev:
        reason = f"chain ends at {checked} but its head records {head_seq} (truncated)"
        return VerifyResult(False, checked, checked + 1, reason)
    return VerifyResult(True, checked)
