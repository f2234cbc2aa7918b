"""One calendar (lms.core.clock): between 00:00 and 07:00 in Viet Nam the server's UTC date is a day behind.
Records, classes and imports must then accept what the reports already count as "today"."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from lms.core import clock
from lms.core.errors import UserError
from lms.records.checks import check_completed_on
from lms.reports import services as report_services
from lms.standards import engine

#: 06:30 on 5 December in Viet Nam, still 4 December in UTC
EARLY_MORNING_UTC = datetime(2026, 12, 4, 23, 30, tzinfo=UTC)


@pytest.fixture
def early_morning(monkeypatch):
    class Fixed(datetime):
        @classmethod
        def now(cls, tz=None):
            return EARLY_MORNING_UTC.astimezone(tz) if tz else EARLY_MORNING_UTC.replace(tzinfo=None)

    monkeypatch.setattr(clock, "datetime", Fixed)


def test_today_is_viet_nams_day_not_the_servers(early_morning):
    assert EARLY_MORNING_UTC.date() == date(2026, 12, 4)
    assert clock.today_vn() == date(2026, 12, 5)


def test_records_reports_and_the_engine_share_the_day(early_morning):
    assert engine.today_vn() == report_services.today() == date(2026, 12, 5)


def test_a_completion_dated_today_in_viet_nam_is_accepted_before_seven(early_morning):
    assert check_completed_on(date(2026, 12, 5)) == date(2026, 12, 5)
    with pytest.raises(UserError) as refused:
        check_completed_on(date(2026, 12, 6))
    assert refused.value.code == "future_date"
