"""电子数据提取笔录/清单: the paper record that goes with a package, drawn with reportlab."""

from __future__ import annotations

from typing import Any

from reportlab.lib import colors  # type: ignore[import-untyped]
from reportlab.lib.units import mm  # type: ignore[import-untyped]
from reportlab.platypus import Paragraph, Spacer, Table, TableStyle  # type: ignore[import-untyped]

from qinglang.core.pdf import SMALL, TITLE, render
from qinglang.core.pdf import para as _p
from qinglang.evidence.package import Built


def _facts(about: dict[str, Any], built: Built) -> list[list[Paragraph]]:
    if built.stamps:
        stamp_text = "；".join(f"{s.gen_time.isoformat()}（{s.tsa_name or s.url}）" for s in built.stamps)
    else:
        stamp_text = "无可信时间戳（未配置时间戳服务或服务未应答）"
    rows = [
        ("证据编号", about["capture"]),
        ("案件编号", about.get("case_reference") or "—"),
        ("提取事由", about.get("reason") or "—"),
        ("提取人", about.get("operator") or "—"),
        ("所属单位", about.get("department") or "—"),
        ("请求网址", about["requested_url"]),
        ("最终网址", about.get("final_url") or "—"),
        ("服务器地址", ", ".join(about.get("addresses", [])) or "—"),
        ("提取时间（UTC）", about["created"]),
        ("提取时间（北京时间）", about.get("created_local", "")),
        ("提取结果", about.get("outcome_label", "")),
        ("提取工具", about["software"]),
        ("清单 SHA-256", built.manifest_sha256),
        ("可信时间戳", stamp_text),
        ("单位签名", "已签名（evidence/manifest.sig）" if built.signed else "未签名"),
    ]
    return [[_p(k), _p(v)] for k, v in rows]


def _file_rows(built: Built) -> list[list[Paragraph]]:
    header = [_p("序号"), _p("文件"), _p("格式"), _p("字节"), _p("SHA-256")]
    rows = [header]
    for number, item in enumerate(built.files, start=1):
        rows.append(
            [
                _p(number, SMALL),
                _p(item["path"], SMALL),
                _p(item["format"], SMALL),
                _p(item["bytes"], SMALL),
                _p(item["sha256"], SMALL),
            ]
        )
    return rows


def _table(rows: list[list[Paragraph]], widths: list[float]) -> Table:
    table = Table(rows, colWidths=widths, repeatRows=1)
    table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.4, colors.grey), ("VALIGN", (0, 0), (-1, -1), "TOP")]))
    return table


def build(about: dict[str, Any], built: Built) -> bytes:
    story: list[Any] = [
        _p("电子数据提取笔录", TITLE),
        _table(_facts(about, built), [40 * mm, 140 * mm]),
        Spacer(1, 6 * mm),
        _p("电子数据清单", TITLE),
        _table(_file_rows(built), [8 * mm, 42 * mm, 26 * mm, 14 * mm, 90 * mm]),
        Spacer(1, 4 * mm),
        _p(
            "本清单所列文件均包含在同名 WACZ 证据包中；record.pdf、sha256sums.txt 与 datapackage*.json "
            "在本清单生成后写入，其哈希见 datapackage.json。校验方法见随附说明。"
        ),
        Spacer(1, 10 * mm),
        _table(
            [
                [_p("提取人（签名）"), _p(""), _p("日期"), _p("")],
                [_p("见证人（签名）"), _p(""), _p("日期"), _p("")],
                [_p("电子数据持有人（签名）"), _p(""), _p("日期"), _p("")],
            ],
            [40 * mm, 70 * mm, 20 * mm, 50 * mm],
        ),
    ]
    return render(story, "电子数据提取笔录", about.get("department", ""))
