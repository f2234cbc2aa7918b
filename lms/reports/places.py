"""Which province a unit belongs to, and the place name a Vietnamese document is dated from
("Cao Bằng, ngày … tháng … năm …"): reports and certificates carry their own province, not "Hà Nội"."""

from __future__ import annotations

import re

from lms.core.db import db
from lms.org.models import OrgUnit

#: the seat of the national confederation and of the central sector unions
CAPITAL = "Hà Nội"
_FEDERATION = re.compile(r"^(liên đoàn lao động|lđlđ)\s+", re.IGNORECASE)
_KIND = re.compile(r"^(tỉnh|thành phố|tp\.?)\s+", re.IGNORECASE)


def province_of(unit: OrgUnit) -> OrgUnit:
    """The unit's top-level ancestor below the root (its provincial federation or central sector union);
    the root itself for the root."""
    ids = unit.ancestor_ids() if unit.path else [unit.id]
    if len(ids) < 2:
        return unit
    return db.session.get(OrgUnit, ids[1]) or unit


def place_of(unit: OrgUnit | None) -> str:
    """The place name for the date line: the province of a provincial federation, else the capital."""
    if unit is None:
        return CAPITAL
    name = province_of(unit).name.strip()
    if not _FEDERATION.match(name):
        return CAPITAL
    rest = _FEDERATION.sub("", name)
    place = _KIND.sub("", rest).strip()
    if place.lower() == "hồ chí minh":
        return "TP. Hồ Chí Minh"
    return place or CAPITAL
