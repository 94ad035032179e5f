"""Every setting read from the environment is documented in README (datasette's test_docs idea)."""

from __future__ import annotations

import re
from pathlib import Path

import qinglang.settings

ROOT = Path(__file__).resolve().parents[2]


def test_every_environment_variable_is_documented() -> None:
    source = Path(qinglang.settings.__file__).read_text(encoding="utf-8")
    names = set(re.findall(r"\benv(?:bool|int|list)?\(\s*\"([A-Z_]+)\"", source))
    assert len(names) > 10  # the pattern still matches how settings.py reads variables
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    undocumented = sorted(name for name in names if f"`{name}`" not in readme)
    assert undocumented == []


def test_readme_test_command_is_what_ci_runs() -> None:
    assert "make test" in (ROOT / "README.md").read_text(encoding="utf-8")
    assert "make test" in (ROOT / ".ci/run").read_text(encoding="utf-8")
