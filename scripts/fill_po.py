"""Fill msgstr entries of a catalogue from a JSON object: ``fill_po.py FILE.po '{"msgid": "译文"}'``.

A small aid for translators working from the command line; compile afterwards with
scripts/compilemessages.py.
"""

from __future__ import annotations

import json
import sys

import polib


def fill(po_path: str, table: dict[str, str]) -> int:
    po = polib.pofile(po_path)
    po.metadata["Plural-Forms"] = "nplurals=1; plural=0;"
    changed = 0
    for entry in po:
        if entry.msgid in table:
            entry.msgstr = table[entry.msgid]
            if "fuzzy" in entry.flags:
                entry.flags.remove("fuzzy")
            changed += 1
    po.save()
    return changed


if __name__ == "__main__":
    print(fill(sys.argv[1], json.loads(sys.argv[2])), "entries filled")
