"""``qinglang ingest FILE [--source NAME]``: import a JSONL or CSV file of documents."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from qinglang.audit.services import record
from qinglang.monitor.ingest import FileFormatError, Tally, count_rows, import_rows, read_rows, source_named
from qinglang.monitor.models import SourceKind


class Command(BaseCommand):
    help = "Import documents from a JSONL or CSV file (fields: id, url, title, text, author, time)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file")
        parser.add_argument("--source", help="source name (default: the file name)")
        parser.add_argument("--process", action="store_true", help="analyse the documents now, in this process")

    def _progress(self, tally: Tally, total: int) -> None:
        done = tally.created + tally.duplicates + tally.errors
        width = 30
        filled = width * done // total if total else width
        bar = "#" * filled + "-" * (width - filled)
        line = f"\r[{bar}] {done}/{total}  新增 {tally.created}  重复 {tally.duplicates}  错误 {tally.errors}"
        self.stderr.write(line, ending="")
        self.stderr.flush()

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"找不到文件：{path}")
        source = source_named(options["source"] or path.name, kind=SourceKind.IMPORT)
        total = count_rows(str(path))
        tally = Tally()
        try:
            with path.open(encoding="utf-8-sig", newline="") as handle:
                for tally in import_rows(source, read_rows(handle, path.name), batch=500):
                    self._progress(tally, total)
        except UnicodeDecodeError as error:
            raise CommandError(f"文件不是 UTF-8 编码（位置 {error.start}）；请先转换编码") from None
        except FileFormatError as error:
            raise CommandError(str(error)) from None
        self.stderr.write("")
        record("monitor.import", actor=None, target=source,
               detail={"file": path.name, "created": tally.created, "duplicates": tally.duplicates,
                       "errors": tally.errors})
        for outcome in tally.outcomes[:20]:
            self.stderr.write(f"  {outcome.error}")
        self.stdout.write(f"{tally.created} created, {tally.duplicates} duplicates, {tally.errors} errors")
        if options["process"]:
            from qinglang.monitor.processing import process_partition

            self.stdout.write(f"{process_partition(source.partition)} processed")
        if tally.errors and not (tally.created or tally.duplicates):
            raise CommandError("没有一条记录被接收，请检查文件格式")
