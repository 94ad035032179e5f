"""``qinglang ingest FILE``: JSONL and CSV, progress on the terminal, bad lines kept."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from qinglang.monitor.models import Document, DocumentState, RawInput, Source
from tests.monitor.corpus import stream


def run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("ingest", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.mark.django_db
def test_jsonl_import_with_progress_and_errors_kept(tmp_path: Path) -> None:
    lines = [json.dumps(row, ensure_ascii=False) for row in stream(1200)]
    lines.insert(5, "<html>这不是 JSON</html>")
    lines.insert(9, json.dumps({"id": "x", "text": "  "}))
    lines.insert(12, "[" * 100_000)   # valid nesting a parser's stack cannot hold
    lines.insert(14, '{"text": "正文", "n": ' + "9" * 5000 + "}")   # a number past the parser's digit limit
    path = tmp_path / "corpus.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out, err = run(str(path), "--source", "历史数据")
    assert out.strip() == "1200 created, 0 duplicates, 4 errors"
    assert "[##############################] 1204/1204" in err
    assert "第 6 行不是有效的 JSON" in err and "第 10 行：缺少正文" in err and "嵌套过深" in err
    assert "数字位数过多" in err
    assert Source.objects.get(name="历史数据").kind == "import"
    assert Document.objects.filter(state=DocumentState.PENDING).count() == 1200
    assert RawInput.objects.filter(payload="<html>这不是 JSON</html>").exists()
    out, _ = run(str(path), "--source", "历史数据")
    assert out.strip() == "0 created, 1200 duplicates, 4 errors"


@pytest.mark.django_db
def test_csv_import_and_processing_in_one_go(tmp_path: Path) -> None:
    path = tmp_path / "batch.csv"
    path.write_text("id,title,text,time\n1,新厂投产,青禾食品新厂投产,2025-11-01 08:00\n"
                    "2,座谈会,优化营商网络环境座谈会召开,1762000000\n", encoding="utf-8")
    out, _ = run(str(path), "--process")
    assert "2 created" in out and "2 processed" in out
    assert Document.objects.get(external_id="1").published_at.isoformat() == "2025-11-01T00:00:00+00:00"


@pytest.mark.django_db
def test_wrong_files_are_refused_clearly(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="找不到文件"):
        run(str(tmp_path / "nope.jsonl"))
    gbk = tmp_path / "gbk.jsonl"
    gbk.write_bytes(json.dumps({"text": "清朗"}, ensure_ascii=False).encode("gbk"))
    with pytest.raises(CommandError, match="不是 UTF-8"):
        run(str(gbk))
    no_text = tmp_path / "cols.csv"
    no_text.write_text("id,body\n1,x\n", encoding="utf-8")
    with pytest.raises(CommandError, match="至少包含 text 列"):
        run(str(no_text))
