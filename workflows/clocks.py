"""Clock arithmetic on proposals: elapsed review time, deadlines, month steps.

Deadlines counted in days end at the end of their last day in the city's time zone (the
engine's ``timezone`` setting, passed in as data): a 15-day notice opened on 1 December ends
at 23:59:59 on 16 December, Rome time, whatever the hour it was opened.
"""

from __future__ import annotations

import calendar
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

# The last second of a day: a deadline is still open at this instant and over just after it.
END_OF_DAY = time(23, 59, 59)


def end_of_day(day: date, zone: str) -> datetime:
    """The last second of ``day`` in the time zone ``zone``, as an aware UTC time."""
    return datetime.combine(day, END_OF_DAY, tzinfo=ZoneInfo(zone)).astimezone(UTC)


def deadline_after(now: datetime, days: int, zone: str) -> datetime:
    """A deadline ``days`` days from ``now``: the end of that last day in ``zone``."""
    today = now.astimezone(ZoneInfo(zone)).date()
    return end_of_day(today + timedelta(days=days), zone)


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later, clipped to the month's end (31 Jan + 1 = 28/29 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def review_elapsed(proposal, now: datetime) -> timedelta:
    """Time the review clock has run: from submission, less the pauses, up to now or its stop."""
    if proposal.review_started_at is None:
        return timedelta(0)
    end = proposal.review_stopped_at or now
    paused = timedelta(seconds=proposal.review_paused_seconds or 0)
    if proposal.review_paused_at is not None and proposal.review_stopped_at is None:
        paused += now - proposal.review_paused_at
    return max(end - proposal.review_started_at - paused, timedelta(0))


def review_running(proposal) -> bool:
    return (
        proposal.review_started_at is not None
        and proposal.review_stopped_at is None
        and proposal.review_paused_at is None
    )


def review_days_left(proposal, now: datetime, limit_days: int) -> float:
    return limit_days - review_elapsed(proposal, now).total_seconds() / 86400


def months_between(start: date, end: date) -> float:
    """Length of a period in months, counting whole months then the remaining days."""
    months = (end.year - start.year) * 12 + (end.month - start.month)
    if add_months(start, months) > end:
        months -= 1
    rest = (end - add_months(start, months)).days
    return months + rest / 31
