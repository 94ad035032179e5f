"""The case status pipeline: the only table of allowed moves (django-oscar's ``pipeline`` idea)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import pgettext_lazy


class CaseStatus(models.TextChoices):
    RECEIVED = "received", pgettext_lazy("cases", "Received")
    TRIAGED = "triaged", pgettext_lazy("cases", "Triaged")
    ASSIGNED = "assigned", pgettext_lazy("cases", "Assigned")
    INVESTIGATING = "investigating", pgettext_lazy("cases", "Investigating")
    ACTION_TAKEN = "action_taken", pgettext_lazy("cases", "Action taken")
    CLOSED = "closed", pgettext_lazy("cases", "Closed")
    REJECTED = "rejected", pgettext_lazy("cases", "Rejected")
    TRANSFERRED = "transferred", pgettext_lazy("cases", "Transferred")

    @classmethod
    def terminal(cls) -> frozenset[str]:
        return frozenset({cls.CLOSED, cls.REJECTED, cls.TRANSFERRED})


S = CaseStatus

# Rejection is possible until someone has been assigned; a transfer (to an authority outside the
# joint system) until an action has been taken. Assignment moves go through ``services.assign``.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    S.RECEIVED: (S.TRIAGED, S.REJECTED),
    S.TRIAGED: (S.ASSIGNED, S.REJECTED, S.TRANSFERRED),
    S.ASSIGNED: (S.INVESTIGATING, S.TRANSFERRED),
    S.INVESTIGATING: (S.ACTION_TAKEN, S.TRANSFERRED),
    S.ACTION_TAKEN: (S.CLOSED, S.INVESTIGATING),
    S.CLOSED: (),
    S.REJECTED: (),
    S.TRANSFERRED: (),
}

# Moves that need more than a reason: a legal basis must be recorded for these.
NEEDS_LEGAL_BASIS = frozenset({S.REJECTED, S.TRANSFERRED, S.ACTION_TAKEN, S.CLOSED})


class InvalidCaseTransition(Exception):
    """A status change the pipeline does not allow (or that lacks what it requires)."""

    def __init__(self, message: str, *, from_status: str = "", to_status: str = "") -> None:
        super().__init__(message)
        self.from_status = from_status
        self.to_status = to_status


def allowed_next(status: str) -> tuple[str, ...]:
    return TRANSITIONS.get(status, ())
