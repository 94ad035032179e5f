"""Role changes are audited wherever they happen (admin, shell, API)."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver

from qinglang.audit.services import record
from qinglang.org.models import User


@receiver(pre_save, sender=User)
def remember_old_role(sender: type[User], instance: User, **kwargs: Any) -> None:
    if instance.pk is None:
        instance._old_role = None  # type: ignore[attr-defined]
        return
    old = User.objects.filter(pk=instance.pk).values("role", "is_superuser", "department_id").first()
    instance._old_role = old  # type: ignore[attr-defined]


@receiver(post_save, sender=User)
def audit_role_change(sender: type[User], instance: User, created: bool, **kwargs: Any) -> None:
    old = getattr(instance, "_old_role", None)
    new = {"role": instance.role, "is_superuser": instance.is_superuser, "department_id": instance.department_id}
    if created:
        record("user.created", target=instance, detail=new)
    elif old is not None and old != new:
        record("user.role_changed", target=instance, detail={"before": old, "after": new})
