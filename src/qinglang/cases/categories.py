"""The harm categories as editable rows, seeded from the engine's shipped taxonomy (taxonomy.md)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from qinglang.cases.models import HarmCategory
from qinglang.engine.categories import load_taxonomy
from qinglang.engine.config import DATA_DIR


def ensure_categories(model: Any = HarmCategory) -> int:
    """Create the shipped categories that are missing; never overwrite an office's edits.
    Returns how many were created (0 on every later call). ``model`` is the migration's
    historical model when called from the data migration."""
    existing = set(model.objects.values_list("code", flat=True))
    new = [
        model(
            code=cat.code, class_zh=cat.class_zh, name_zh=cat.name_zh, name_en=cat.name_en, description=cat.description
        )
        for cat in load_taxonomy(DATA_DIR / "taxonomy.json")
        if cat.code not in existing
    ]
    model.objects.bulk_create(new, ignore_conflicts=True)
    return len(new)


def active_categories() -> QuerySet[HarmCategory]:
    if not HarmCategory.objects.exists():
        ensure_categories()
    return HarmCategory.objects.filter(is_active=True)
