"""One helper that scopes any queryset to what a user's department may see.

A department sees its own objects and those of the departments under it, plus whatever is
explicitly shared with it; administrators see everything; anyone else sees nothing.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.db.models import Model, Q, QuerySet

M = TypeVar("M", bound=Model)


def visible_to(
    user: Any, queryset: QuerySet[M], *, field: str | None = "department", shared_field: str | None = None
) -> QuerySet[M]:
    """Filter ``queryset`` to the rows ``user`` may see.

    ``field`` names the department foreign key on the model (``None`` when the queryset is of
    departments themselves); ``shared_field`` names a many-to-many of departments the object is
    shared with.
    """
    if not getattr(user, "is_authenticated", False):
        return queryset.none()
    if user.sees_everything:
        return queryset
    department = user.department
    if department is None:
        return queryset.none()
    prefix = f"{field}__path" if field else "path"
    condition = Q(**{f"{prefix}__startswith": department.path})
    if shared_field:
        # A subquery rather than a join: joining the share table repeats a row once per
        # matching department, which DISTINCT hides from lists but not from COUNT or AVG.
        shared = queryset.model._default_manager.filter(
            **{f"{shared_field}__path__startswith": department.path}
        ).values("pk")
        condition |= Q(pk__in=shared)
    return queryset.filter(condition)
