"""Small text helpers shared by the modules."""

from __future__ import annotations


def nonblank_lines(text: str | None) -> list[str]:
    """The stripped, non-empty lines of a textarea (one URL, option or enterprise per line)."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]
