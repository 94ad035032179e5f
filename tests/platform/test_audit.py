"""The audit chain: append-only through the ORM, and every kind of tampering is found."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from qinglang.audit.models import AppendOnlyError, AuditEntry
from qinglang.audit.services import record, verify_chain


@pytest.fixture
def chain(db: None) -> list[AuditEntry]:
    return [record("test.event", detail={"n": i, "text": f"第{i}条记录"}) for i in range(1, 6)]


def raw(sql: str, params: list[Any] | None = None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])


def test_intact_chain_verifies(chain: list[AuditEntry]) -> None:
    result = verify_chain()
    assert result.ok and result.checked == 5
    assert chain[1].prev_hash == chain[0].hash


def test_orm_refuses_update_and_delete(chain: list[AuditEntry]) -> None:
    entry = chain[0]
    entry.action = "changed"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.filter(seq=1).update(action="changed")
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.all().delete()
    assert verify_chain().ok


def test_edit_is_detected(chain: list[AuditEntry]) -> None:
    raw("UPDATE audit_auditentry SET detail = %s WHERE seq = 3", ['{"n": 3, "text": "改过的"}'])
    result = verify_chain()
    assert not result.ok and result.broken_seq == 3 and "edited" in result.reason


def test_deletion_in_the_middle_is_detected(chain: list[AuditEntry]) -> None:
    raw("DELETE FROM audit_auditentry WHERE seq = 2")
    result = verify_chain()
    assert not result.ok and result.broken_seq == 2 and "missing" in result.reason


def test_deletion_with_renumbering_is_detected(chain: list[AuditEntry]) -> None:
    raw("DELETE FROM audit_auditentry WHERE seq = 2")
    for seq in (3, 4, 5):
        raw("UPDATE audit_auditentry SET seq = %s WHERE seq = %s", [seq - 1, seq])
    raw("UPDATE audit_audithead SET last_seq = 4")
    result = verify_chain()
    assert not result.ok and result.broken_seq == 2


def test_truncation_at_the_end_is_detected(chain: list[AuditEntry]) -> None:
    raw("DELETE FROM audit_auditentry WHERE seq = 5")
    result = verify_chain()
    assert not result.ok and result.broken_seq == 5 and "truncated" in result.reason


def test_insertion_is_detected(chain: list[AuditEntry]) -> None:
    # Make room after entry 2 and slip a forged entry in, linked to entry 2's hash.
    for seq in (5, 4, 3):
        raw("UPDATE audit_auditentry SET seq = %s WHERE seq = %s", [seq + 1, seq])
    raw(
        "INSERT INTO audit_auditentry (seq, at, actor_name, action, target_type, target_id, detail, prev_hash, hash)"
        " VALUES (3, %s, '', 'forged', '', '', '{}', %s, %s)",
        [chain[2].at, chain[1].hash, "f" * 64],
    )
    raw("UPDATE audit_audithead SET last_seq = 6")
    result = verify_chain()
    assert not result.ok and result.broken_seq == 3


def test_reordering_is_detected(chain: list[AuditEntry]) -> None:
    raw("UPDATE audit_auditentry SET seq = 100 WHERE seq = 2")
    raw("UPDATE audit_auditentry SET seq = 2 WHERE seq = 3")
    raw("UPDATE audit_auditentry SET seq = 3 WHERE seq = 100")
    result = verify_chain()
    assert not result.ok and result.broken_seq == 2


def test_verify_command_reports_the_broken_link(chain: list[AuditEntry], capsys: pytest.CaptureFixture[str]) -> None:
    call_command("audit", "verify")
    assert "5 entries verified" in capsys.readouterr().out
    raw("UPDATE audit_auditentry SET action = 'x' WHERE seq = 4")
    with pytest.raises(CommandError, match="entry 4"):
        call_command("audit", "verify")


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_keep_one_chain() -> None:
    errors: list[BaseException] = []

    def write(worker: int) -> None:
        try:
            for i in range(10):
                record("test.concurrent", detail={"worker": worker, "i": i})
        except BaseException as exc:  # noqa: BLE001 - reported to the main thread below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=write, args=(w,)) for w in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    result = verify_chain()
    assert result.ok and result.checked == AuditEntry.objects.count() >= 40
