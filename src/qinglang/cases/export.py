"""The statistics as an Excel workbook: headline figures and one sheet per breakdown."""

from __future__ import annotations

from io import BytesIO

from openpyxl import Workbook  # type: ignore[import-untyped]
from openpyxl.styles import Font  # type: ignore[import-untyped]

HEADLINE_LABELS = {
    "joint_operations": "联合执法行动（次）",
    "enforcement_actions": "处置措施（项）",
    "principals_sanctioned": "约谈、警告、立案查处的网站平台和账号主体（个）",
    "principals_interviewed": "其中约谈（个）",
    "principals_warned": "其中警告（个）",
    "principals_filed": "其中立案查处（个）",
    "cases": "案件（件）",
    "cases_open": "在办案件（件）",
}
SHEETS = {
    "by_month": "按月份",
    "by_department": "按牵头部门",
    "by_category": "按危害类别",
    "by_status": "按办理结果",
    "by_action": "按措施类型",
}


def workbook(period_label: str, headline: dict[str, int], breakdowns: dict[str, list[tuple[str, int]]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None  # a new workbook always has one sheet
    sheet.title = "总览"
    sheet.append(["统计期间", period_label])
    for key, label in HEADLINE_LABELS.items():
        sheet.append([label, headline[key]])
    sheet["A1"].font = Font(bold=True)
    sheet.column_dimensions["A"].width = 48
    for key, title in SHEETS.items():
        part = book.create_sheet(title)
        part.append(["项目", "数量"])
        part["A1"].font = part["B1"].font = Font(bold=True)
        part.column_dimensions["A"].width = 36
        for label, count in breakdowns[key]:
            part.append([label, count])
    out = BytesIO()
    book.save(out)
    return out.getvalue()
