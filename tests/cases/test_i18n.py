"""The cases catalogue keeps to its own context, so that words other modules also use ("Reports",
"Open", "Received"…) never take or give another module's translation."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import polib
from django.test import Client
from django.urls import reverse

import qinglang.cases
from qinglang.cases.models import Case

CATALOGUE = Path(qinglang.cases.__file__).parent / "locale/zh_Hans/LC_MESSAGES/django.po"


def test_every_entry_has_the_cases_context() -> None:
    entries = [e for e in polib.pofile(str(CATALOGUE)) if not e.obsolete]
    assert len(entries) > 100
    assert [e.msgid for e in entries if e.msgctxt != "cases"] == []


def test_chinese_navigation_uses_our_words(client: Client, org: dict[str, Any]) -> None:
    client.force_login(org["duty"])
    page = client.get(reverse("cases-list")).content.decode()
    assert "举报线索" in page and "执法统计" in page and "联合执法行动" in page


def test_english_is_one_click_away(client: Client, org: dict[str, Any], make_case: Callable[..., Case]) -> None:
    case = make_case("assigned")
    client.force_login(org["duty"])
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    page = client.get(reverse("cases-detail", args=[case.pk])).content.decode()
    assert "Lead department" in page and "Assigned" in page and "working days left" in page
    assert "Enforcement statistics" in client.get(reverse("cases-stats")).content.decode()
