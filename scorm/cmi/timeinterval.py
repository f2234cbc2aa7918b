"""Time intervals and timestamps of both run-time data models, with exact arithmetic.

SCORM 1.2 writes intervals as ``CMITimespan`` (``HHHH:MM:SS.SS``: 2 to 4 hour digits, optional 1 or 2
fraction digits); SCORM 2004 writes ISO 8601 durations (``P[yY][mM][dD][T[hH][mM][s[.s]S]]``).
Intervals are handled as :class:`~decimal.Decimal` seconds so that accumulated ``total_time`` never
drifts (each 2004 number may have up to 15 digits, and 15 fraction digits for seconds). For 2004, a year counts as 365 days and a month as 30 days (the books give no conversion;
SCOs in practice send hours, minutes and seconds only).
"""

from __future__ import annotations

import functools
import re
from datetime import datetime
from decimal import Decimal, InvalidOperation

from scorm.cmi.spec import Version, normalise_version
from scorm.errors import CmiError

__all__ = [
    "MAX_TIMESPAN_12",
    "format_interval",
    "is_valid_interval",
    "is_valid_time_12",
    "is_valid_timestamp_2004",
    "parse_interval",
]

_MINUTE = 60
_HOUR = 3600
_DAY = 86400
_MONTH = 30 * _DAY
_YEAR = 365 * _DAY

_TIMESPAN_12 = re.compile(r"(\d{2,4}):([0-5]\d):([0-5]\d)(?:\.(\d{1,2}))?", re.ASCII)
_DURATION_2004 = re.compile(
    r"P(?:(\d{1,15})Y)?(?:(\d{1,15})M)?(?:(\d{1,15})D)?"
    r"(?:T(?:(\d{1,15})H)?(?:(\d{1,15})M)?(?:(\d{1,15}(?:\.\d{1,15})?)S)?)?",
    re.ASCII,
)
_TIME_12 = re.compile(r"([01]\d|2[0-3]):([0-5]\d):([0-5]\d)(?:\.\d{1,2})?", re.ASCII)
_TIMESTAMP_2004 = re.compile(
    r"(?P<y>\d{4})(?:-(?P<mo>\d{2})(?:-(?P<d>\d{2})(?:T(?P<h>\d{2})(?::(?P<mi>\d{2})"
    r"(?::(?P<s>\d{2})(?:\.\d{1,2})?(?:Z|[+-]\d{2}(?::\d{2})?)?)?)?)?)?)?",
    re.ASCII,
)

#: the largest interval a 1.2 ``CMITimespan`` can hold (9999:59:59.99); longer totals saturate
MAX_TIMESPAN_12 = Decimal("35999999.99")


def _bad_interval(text: object, version: str) -> CmiError:
    shape = "HHHH:MM:SS.SS" if version == "1.2" else "P[yY][mM][dD][T[hH][mM][s[.s]S]]"
    return CmiError(
        f"{text!r} is not a SCORM {version} time interval ({shape})",
        code="cmi.bad_interval",
        message_vi=f"{text!r} không phải khoảng thời gian SCORM {version} hợp lệ ({shape})",
    )


def parse_interval(text: str, version: Version) -> Decimal:
    """Parse a time interval of the given SCORM version into exact seconds.

    Raises :class:`~scorm.errors.CmiError` (code ``cmi.bad_interval``) when ``text`` does not have the
    version's format.
    """
    version = normalise_version(version)
    if not isinstance(text, str):
        raise _bad_interval(text, version)
    seconds = _parsed(text, version) if len(text) <= _MEMO_TEXT else _parse_or_none(text, version)
    if seconds is None:
        raise _bad_interval(text, version)
    return seconds


#: a commit reads the same few intervals several times (the stored total, the session time, the new
#: total), and learners send the same ones: short texts are parsed once (a Decimal is immutable)
_MEMO_TEXT = 64


def _parse_or_none(text: str, version: str) -> Decimal | None:
    match = (_TIMESPAN_12 if version == "1.2" else _DURATION_2004).fullmatch(text)
    if match is None:
        return None
    return _seconds_12(match) if version == "1.2" else _seconds_2004(text, match)


_parsed = functools.lru_cache(maxsize=4096)(_parse_or_none)


def _seconds_12(match: re.Match[str]) -> Decimal:
    hours, minutes, seconds, fraction = match.groups()
    total = int(hours) * _HOUR + int(minutes) * _MINUTE + int(seconds)
    return Decimal(total) + (Decimal("0." + fraction) if fraction else Decimal(0))


def _seconds_2004(text: str, match: re.Match[str]) -> Decimal | None:
    if text in {"P", "PT"} or text.endswith("T"):
        return None
    years, months, days, hours, minutes, seconds = match.groups()
    whole = sum(
        int(part or 0) * unit
        for part, unit in ((years, _YEAR), (months, _MONTH), (days, _DAY), (hours, _HOUR), (minutes, _MINUTE))
    )
    return Decimal(whole) + (Decimal(seconds) if seconds else Decimal(0))


def is_valid_interval(text: str, version: Version) -> bool:
    """Tell whether ``text`` is a valid time interval of the given version."""
    try:
        parse_interval(text, version)
    except CmiError:
        return False
    return True


def format_interval(seconds: Decimal | int, version: Version) -> str:
    """Write ``seconds`` (non-negative) in the interval format of the given version.

    1.2 gives ``HHHH:MM:SS.SS`` (always four hour digits and two fraction digits, rounded half-up to
    the centisecond; saturates at 9999:59:59.99). 2004 gives ``P[nD]T[nH][nM][s]S`` with the exact
    seconds and zero parts left out, or ``PT0H0M0S`` for zero.
    """
    version = normalise_version(version)
    try:
        value = Decimal(seconds)
    except (InvalidOperation, TypeError, ValueError) as exc:
        raise _bad_interval(seconds, version) from exc
    if not value.is_finite() or value < 0:
        raise _bad_interval(seconds, version)
    if version == "1.2":
        return _format_timespan_12(value)
    return _format_duration_2004(value)


def _format_timespan_12(value: Decimal) -> str:
    value = min(value, MAX_TIMESPAN_12).quantize(Decimal("0.01"), rounding="ROUND_HALF_UP")
    whole = int(value)
    centis = int((value - whole) * 100)
    hours, rest = divmod(whole, _HOUR)
    minutes, secs = divmod(rest, _MINUTE)
    return f"{hours:04d}:{minutes:02d}:{secs:02d}.{centis:02d}"


def _format_duration_2004(value: Decimal) -> str:
    if value == 0:
        return "PT0H0M0S"
    whole = int(value)
    fraction = value - whole
    days, rest = divmod(whole, _DAY)
    hours, rest = divmod(rest, _HOUR)
    minutes, secs = divmod(rest, _MINUTE)
    seconds = _plain(Decimal(secs) + fraction)
    date_part = f"{days}D" if days else ""
    time_part = "".join(
        f"{amount}{unit}" for amount, unit in ((hours, "H"), (minutes, "M")) if amount
    ) + (f"{seconds}S" if seconds != "0" else "")
    return "P" + date_part + ("T" + time_part if time_part else "")


def _plain(value: Decimal) -> str:
    """Write a Decimal without exponent and without trailing fraction zeros."""
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text or "0"


def is_valid_time_12(text: str) -> bool:
    """Tell whether ``text`` is a 1.2 ``CMITime`` (``HH:MM:SS[.SS]``, a time of day)."""
    return isinstance(text, str) and _TIME_12.fullmatch(text) is not None


def is_valid_timestamp_2004(text: str) -> bool:
    """Tell whether ``text`` is a 2004 ``time (second,10,0)``: an ISO 8601 timestamp from 1970 to 2038.

    Every part after the year is optional, from the right; the date must exist in the calendar.
    """
    if not isinstance(text, str):
        return False
    match = _TIMESTAMP_2004.fullmatch(text)
    if match is None:
        return False
    parts = match.groupdict()
    if not 1970 <= int(parts["y"]) <= 2038:
        return False
    try:
        datetime(
            int(parts["y"]), int(parts["mo"] or 1), int(parts["d"] or 1),
            int(parts["h"] or 0), int(parts["mi"] or 0), int(parts["s"] or 0),
        )
    except ValueError:
        return False
    return True
