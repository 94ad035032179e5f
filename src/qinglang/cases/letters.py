"""The takedown notice (删除违法信息通知书) as a PDF, drawn with reportlab.

The Chinese font and paragraph styles are the evidence record's (``evidence.record_pdf``), so every
PDF the office sends out looks the same.
"""

from __future__ import annotations

from typing import Any

from reportlab.lib.styles import ParagraphStyle  # type: ignore[import-untyped]
from reportlab.lib.units import mm  # type: ignore[import-untyped]
from reportlab.platypus import Paragraph, Spacer  # type: ignore[import-untyped]

from qinglang.cases.models import Case, CaseAction
from qinglang.cases.services import takedown_letter
from qinglang.core.pdf import BODY, TITLE, para, render

LETTER_TITLE = "删除违法信息通知书"
LETTER = ParagraphStyle("letter", parent=BODY, fontSize=12, leading=20)
RIGHT = ParagraphStyle("letter-right", parent=LETTER, alignment=2)


def letter_lines(case: Case, action: CaseAction) -> list[str]:
    """The notice as recorded with the action (regenerated if an older action has none)."""
    text = action.letter or takedown_letter(case, action.principal, action.platform, action.url_list())
    return text.splitlines()


def letter_story(case: Case, action: CaseAction) -> list[Any]:
    """What reportlab lays out: the title, the reference number, then the letter line by line;
    the sender and the date (the last two lines) are set to the right."""
    lines = letter_lines(case, action)
    story: list[Any] = [
        Paragraph(LETTER_TITLE, TITLE),
        para(f"编号：{case.number}-{action.pk}", RIGHT),
        Spacer(1, 4 * mm),
    ]
    for number, line in enumerate(lines):
        style = RIGHT if number >= len(lines) - 2 else LETTER
        story.append(para(line, style) if line.strip() else Paragraph("&nbsp;", style))
    return story


def letter_pdf(case: Case, action: CaseAction) -> bytes:
    return render(letter_story(case, action), f"{LETTER_TITLE} {case.number}", case.department.name,
                  margin_mm=25, topMargin=25 * mm)
