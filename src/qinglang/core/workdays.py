"""Working-day arithmetic for time limits (办理时限): weekends off, except the configured
make-up workdays, and configured public holidays off.

Cases and e-station requests both count their deadlines with these functions.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from qinglang.core.models import CalendarDay


@dataclass(frozen=True)
class WorkCalendar:
    holidays: frozenset[date]
    workdays: frozenset[date]

    @classmethod
    def load(cls, start: date, end: date) -> WorkCalendar:
        """The exceptions between two dates, read in one query."""
        rows = CalendarDay.objects.filter(date__gte=start, date__lte=end).values_list("date", "kind")
        holidays = frozenset(d for d, kind in rows if kind == CalendarDay.Kind.HOLIDAY)
        workdays = frozenset(d for d, kind in rows if kind == CalendarDay.Kind.WORKDAY)
        return cls(holidays, workdays)

    def is_working_day(self, day: date) -> bool:
        if day in self.workdays:
            return True
        if day in self.holidays:
            return False
        return day.weekday() < 5

    def add_working_days(self, start: date, days: int) -> date:
        """The date ``days`` working days after ``start`` (``start`` itself not counted)."""
        current = start
        remaining = days
        while remaining > 0:
            current += timedelta(days=1)
            if self.is_working_day(current):
                remaining -= 1
        return current

    def working_days_between(self, start: date, end: date) -> int:
        """Working days in (start, end]; negative when end is before start."""
        if end < start:
            return -self.working_days_between(end, start)
        return sum(1 for i in range(1, (end - start).days + 1) if self.is_working_day(start + timedelta(days=i)))


# Enough calendar to look up for any realistic time limit (the longest legal limits are ~60 days).
_LOOKAHEAD_DAYS = 400


def deadline(start: datetime, working_days: int) -> datetime:
    """End of the working day ``working_days`` after ``start``; 0 means the end of today."""
    local_start = timezone.localtime(start)
    calendar = WorkCalendar.load(local_start.date(), local_start.date() + timedelta(days=_LOOKAHEAD_DAYS))
    day = calendar.add_working_days(local_start.date(), working_days)
    return datetime.combine(day, time(23, 59, 59), tzinfo=local_start.tzinfo)


def working_days_left(now: datetime, due: datetime) -> int:
    """Working days from now until the due date (negative once overdue)."""
    start, end = timezone.localtime(now).date(), timezone.localtime(due).date()
    lo, hi = min(start, end), max(start, end)
    return WorkCalendar.load(lo, hi).working_days_between(start, end)
