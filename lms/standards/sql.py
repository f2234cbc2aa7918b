"""Small helpers shared by the engine, the counts and the dashboards: typed raw SQL and IN lists."""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Date, DateTime, Numeric, bindparam, text

from lms.core.db import db


def execute(sql: str, params: dict[str, Any]):
    """Run engine SQL with typed parameters (dates and times are converted per database)."""
    params = {k: v for k, v in params.items() if re.search(rf":{k}\b", sql)}
    stmt = text(sql)
    binds = []
    for key, value in params.items():
        if isinstance(value, datetime):
            binds.append(bindparam(key, type_=DateTime(timezone=True)))
        elif isinstance(value, date):
            binds.append(bindparam(key, type_=Date()))
        elif isinstance(value, Decimal):
            binds.append(bindparam(key, type_=Numeric(12, 2)))
    if binds:
        stmt = stmt.bindparams(*binds)
    return db.session.execute(stmt, params)



def in_list(name: str, values, params: dict[str, Any]) -> str:
    """``(:name_0, :name_1, …)`` with the params filled; an impossible list when empty."""
    values = list(values)
    if not values:
        return "(NULL)"
    for i, value in enumerate(values):
        params[f"{name}_{i}"] = value
    return "(" + ", ".join(f":{name}_{i}" for i in range(len(values))) + ")"


