"""Full-text search over documents with Chinese segmentation.

Chinese has no spaces, so both back ends index *segmented* text (``Document.search_text``,
words separated by spaces): SQLite through an FTS5 table (``monitor_document_fts``, rowid = the
document's id, created by the migration), PostgreSQL through a GIN index on
``to_tsvector('simple', search_text)``. A query is cut the same way and all its words must match.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.contrib.postgres.search import SearchQuery, SearchVector
from django.db import connection
from django.db.models import QuerySet
from django.db.models.expressions import RawSQL

from qinglang.monitor.analysis import index_text, query_words
from qinglang.monitor.models import Document

FTS_TABLE = "monitor_document_fts"


def words_for(doc: Document) -> str:
    return index_text(doc.title, doc.text)


def index(docs: Sequence[Document]) -> None:
    """Add (or refresh) documents in the SQLite FTS table; PostgreSQL indexes the column itself."""
    if connection.vendor != "sqlite" or not docs:
        return
    with connection.cursor() as cursor:
        cursor.executemany(f"DELETE FROM {FTS_TABLE} WHERE rowid = %s", [(d.pk,) for d in docs])  # noqa: S608
        cursor.executemany(
            f"INSERT INTO {FTS_TABLE} (rowid, body) VALUES (%s, %s)",  # noqa: S608
            [(d.pk, d.search_text) for d in docs],
        )


def _fts5_query(words: list[str]) -> str:
    # Each word quoted, so FTS5 operators typed by a user are taken as plain text.
    return " ".join('"' + w.replace('"', '""') + '"' for w in words)


def matching(queryset: QuerySet[Document], query: str) -> QuerySet[Document]:
    """Documents of ``queryset`` that contain every word of ``query``."""
    words = query_words(query)
    if not words:
        return queryset.none()
    if connection.vendor == "sqlite":
        sql = f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s"  # noqa: S608
        return queryset.filter(pk__in=RawSQL(sql, (_fts5_query(words),)))  # noqa: S611
    vector: Any = SearchVector("search_text", config="simple")
    wanted = SearchQuery(" ".join(words), config="simple", search_type="plain")
    return queryset.annotate(_search=vector).filter(_search=wanted)
