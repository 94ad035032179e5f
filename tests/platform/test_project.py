"""Guards against drift: migrations, translations, the console script."""

from __future__ import annotations

import subprocess
import sys
from io import StringIO
from pathlib import Path

import polib
import pytest
from django.core.management import call_command

import qinglang

SRC = Path(qinglang.__file__).parent


@pytest.mark.django_db
def test_no_missing_migrations() -> None:
    out = StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out)
    assert "No changes detected" in out.getvalue()


CATALOGUES = sorted(SRC.glob("**/locale/*/LC_MESSAGES/django.po"))


@pytest.mark.parametrize("po_path", CATALOGUES, ids=lambda p: str(p.relative_to(SRC)))
def test_compiled_translations_match_sources(po_path: Path) -> None:
    po = polib.pofile(str(po_path))
    mo = polib.mofile(str(po_path.with_suffix(".mo")))
    compiled = {entry.msgid: entry.msgstr for entry in mo}
    expected = {e.msgid: e.msgstr for e in po.translated_entries() if not e.msgid_plural}
    assert {k: compiled.get(k) for k in expected} == expected, "run `make messages` and commit the .mo"
    assert po.percent_translated() == 100, [e.msgid for e in po.untranslated_entries()]


def test_console_script_wraps_management_commands() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "qinglang", "help", "audit"], capture_output=True, text=True, check=False, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert "verify" in result.stdout
