"""Chinese PDF documents (evidence records, takedown letters, monitoring reports) with reportlab.

One font for all of them: the CID font STSong-Light ships with every PDF reader in China, so no
font file is embedded and the files stay small. ``render`` lays out a story on A4.
"""

from __future__ import annotations

import io
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib.pagesizes import A4  # type: ignore[import-untyped]
from reportlab.lib.styles import ParagraphStyle  # type: ignore[import-untyped]
from reportlab.lib.units import mm  # type: ignore[import-untyped]
from reportlab.pdfbase import pdfmetrics  # type: ignore[import-untyped]
from reportlab.pdfbase.cidfonts import UnicodeCIDFont  # type: ignore[import-untyped]
from reportlab.platypus import Paragraph, SimpleDocTemplate  # type: ignore[import-untyped]

FONT = "STSong-Light"
pdfmetrics.registerFont(UnicodeCIDFont(FONT))
TITLE = ParagraphStyle("title", fontName=FONT, fontSize=16, leading=22, alignment=1, spaceAfter=8)
BODY = ParagraphStyle("body", fontName=FONT, fontSize=9, leading=13, wordWrap="CJK")
SMALL = ParagraphStyle("small", fontName=FONT, fontSize=7, leading=9, wordWrap="CJK")


def para(text: object, style: ParagraphStyle = BODY) -> Paragraph:
    """A paragraph of plain text (reportlab reads markup: <, > and & are escaped)."""
    return Paragraph(escape(str(text)), style)


def render(story: list[Any], title: str, author: str = "", margin_mm: float = 15, **page: Any) -> bytes:
    """The story laid out on A4 pages; ``page`` passes other SimpleDocTemplate options."""
    buffer = io.BytesIO()
    margins = {"leftMargin": margin_mm * mm, "rightMargin": margin_mm * mm, **page}
    SimpleDocTemplate(buffer, pagesize=A4, title=title, author=author, **margins).build(story)
    return buffer.getvalue()
