"""Departments (a tree), the users who belong to them, and their roles."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models, transaction
from django.utils.translation import gettext_lazy as _

from qinglang.org.roles import DepartmentKind, Role

__all__ = ["Department", "DepartmentKind", "Role", "User"]


class Department(models.Model):
    """A node in the department tree.

    ``path`` holds the ids from the root down (``/1/4/9/``) so that "this department and
    everything under it" is one indexed prefix query, whatever the depth.
    """

    name = models.CharField(_("name"), max_length=100)
    code = models.SlugField(_("code"), max_length=60, unique=True)
    kind = models.CharField(_("kind"), max_length=30, choices=DepartmentKind.choices)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    path = models.CharField(max_length=255, editable=False, db_index=True, default="")
    is_active = models.BooleanField(_("active"), default=True)
    # Who answers for the department (escalations go to them); optional, set in the admin.
    head = models.ForeignKey(
        "User",
        verbose_name=_("head"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="headed_departments",
    )
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["path"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: object, **kwargs: object) -> None:
        with transaction.atomic():
            old_path = self.path
            super().save(*args, **kwargs)  # type: ignore[arg-type]
            new_path = self._compute_path()
            if new_path != old_path:
                self._move_subtree(old_path, new_path)

    def _compute_path(self) -> str:
        if self.parent_id is None:
            return f"/{self.pk}/"
        parent_path = Department.objects.values_list("path", flat=True).get(pk=self.parent_id)
        if f"/{self.pk}/" in parent_path:
            raise ValueError("A department cannot be placed under itself.")
        return f"{parent_path}{self.pk}/"

    def _move_subtree(self, old_path: str, new_path: str) -> None:
        Department.objects.filter(pk=self.pk).update(path=new_path)
        self.path = new_path
        if not old_path:
            return
        for child in Department.objects.filter(path__startswith=old_path).exclude(pk=self.pk):
            Department.objects.filter(pk=child.pk).update(path=new_path + child.path[len(old_path) :])

    def subtree(self) -> models.QuerySet[Department]:
        return Department.objects.filter(path__startswith=self.path)


class User(AbstractUser):
    display_name = models.CharField(_("display name"), max_length=60, blank=True)
    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="members",
    )
    role = models.CharField(_("role"), max_length=30, choices=Role.choices, default=Role.ANALYST)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.display_name or self.username

    @property
    def sees_everything(self) -> bool:
        return bool(self.is_superuser or self.role == Role.ADMIN)

    def has_role(self, *roles: str) -> bool:
        return self.sees_everything or self.role in roles
