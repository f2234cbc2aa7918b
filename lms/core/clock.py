"""One calendar for the whole LMS: Viet Nam's (UTC+7, no daylight saving).

Records, classes, imports, the compliance engine and the reports all date things by the day a cadre in
Viet Nam sees on the calendar. The server's own date (``date.today()``, UTC on a typical host) is a day
behind between 00:00 and 07:00 Viet Nam time, which once made a correction dated "today" look like a
future date to the records checks while the reports already counted that day.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def now_vn() -> datetime:
    """The current moment in Viet Nam."""
    return datetime.now(VN)


def today_vn() -> date:
    """Today in Viet Nam."""
    return now_vn().date()
