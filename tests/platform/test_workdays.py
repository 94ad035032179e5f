"""Working-day arithmetic around a Chinese holiday with make-up workdays (dates as in 2026)."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from qinglang.core.models import CalendarDay
from qinglang.core.workdays import WorkCalendar, deadline, working_days_left

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def national_day(db: None) -> None:
    # National Day week: 1–7 October off, Sunday 27 September and Saturday 10 October worked.
    for day in range(1, 8):
        CalendarDay.objects.create(date=date(2026, 10, day), kind=CalendarDay.Kind.HOLIDAY, name="国庆节")
    CalendarDay.objects.create(date=date(2026, 9, 27), kind=CalendarDay.Kind.WORKDAY, name="国庆调休")
    CalendarDay.objects.create(date=date(2026, 10, 10), kind=CalendarDay.Kind.WORKDAY, name="国庆调休")


def test_plain_week_skips_the_weekend(db: None) -> None:
    calendar = WorkCalendar.load(date(2026, 11, 1), date(2026, 12, 31))
    # Friday 27 November + 1 working day = Monday 30 November.
    assert calendar.add_working_days(date(2026, 11, 27), 1) == date(2026, 11, 30)
    assert calendar.working_days_between(date(2026, 11, 27), date(2026, 11, 30)) == 1


def test_holidays_are_skipped_and_make_up_days_counted(national_day: None) -> None:
    calendar = WorkCalendar.load(date(2026, 9, 1), date(2026, 10, 31))
    assert calendar.is_working_day(date(2026, 9, 27))  # a Sunday, worked
    assert not calendar.is_working_day(date(2026, 10, 5))  # a Monday, holiday
    # Wednesday 30 September + 3 working days: 8 Oct (Thu), 9 Oct (Fri), 10 Oct (Sat, make-up day).
    assert calendar.add_working_days(date(2026, 9, 30), 3) == date(2026, 10, 10)


def test_deadline_is_end_of_the_local_day(national_day: None) -> None:
    start = datetime(2026, 9, 30, 16, 0, tzinfo=SHANGHAI)
    due = deadline(start, 1)
    assert due.astimezone(SHANGHAI).date() == date(2026, 10, 8)
    assert (due.hour, due.minute) == (23, 59)
    assert deadline(start, 0).date() == date(2026, 9, 30)


def test_days_left_turns_negative_when_overdue(national_day: None) -> None:
    due = datetime(2026, 10, 9, 23, 59, tzinfo=SHANGHAI)
    assert working_days_left(datetime(2026, 9, 30, 9, 0, tzinfo=SHANGHAI), due) == 2
    # 10 Oct (make-up Saturday), 12 and 13 Oct have passed since the due day.
    assert working_days_left(datetime(2026, 10, 13, 9, 0, tzinfo=SHANGHAI), due) == -3
