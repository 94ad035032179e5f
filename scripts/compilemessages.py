"""Compile every gettext catalogue under src/qinglang (``make messages`` calls it).

polib writes the .mo files, so a machine without GNU gettext can build them; the .po files are
the source of truth (translators edit msgstr there). Exits non-zero if any entry is untranslated
or fuzzy, naming it.
"""

from __future__ import annotations

import sys
from pathlib import Path

import polib

SRC = Path(__file__).resolve().parent.parent / "src/qinglang"


def compile_all() -> list[str]:
    problems = []
    for po_path in sorted(SRC.glob("**/locale/*/LC_MESSAGES/django.po")):
        po = polib.pofile(str(po_path))
        po.metadata.setdefault("Content-Type", "text/plain; charset=UTF-8")
        for entry in po:
            if entry.obsolete:
                continue
            if not entry.translated() or "fuzzy" in entry.flags:
                problems.append(f"{po_path.relative_to(SRC)}: {entry.msgid!r}")
        po.save_as_mofile(str(po_path.with_suffix(".mo")))
    return problems


if __name__ == "__main__":
    missing = compile_all()
    for line in missing:
        print("untranslated:", line, file=sys.stderr)
    sys.exit(1 if missing else 0)
