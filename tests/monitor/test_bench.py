"""The benchmark command keeps working (its figures are measured by `make bench`, not here)."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.management import CommandError, call_command


def test_bench_refuses_without_confirmation() -> None:
    with pytest.raises(CommandError, match="--yes"):
        call_command("monitor_bench")


@pytest.mark.django_db(transaction=True)
def test_bench_reports_each_figure(org: dict[str, Any]) -> None:
    out = io.StringIO()
    call_command("monitor_bench", "--yes", "--rate", "20", "--seconds", "1", "--search-docs", "300", stdout=out)
    text = out.getvalue()
    assert "ingest 20 items/s through POST /api/v1/documents for 1 s: 20 analysed; receipt to event" in text
    assert "search at 320 documents, no filter, seconds: p50" in text
    assert "report weekly: built in" in text
