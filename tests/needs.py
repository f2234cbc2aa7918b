"""A real part a test needs (Chromium, Redis, Ralph, Node) that this machine lacks: under ``CI=true`` the
test fails — those tests must run in CI —; elsewhere it is skipped with the reason printed."""

from __future__ import annotations

import os
from typing import NoReturn

import pytest


def missing(reason: str) -> NoReturn:
    """Fail under CI, else print the reason and skip."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} — required under CI=true")
    else:  # outside CI only: the reason is printed
        print(f"\nSKIP: {reason}")
        pytest.skip(reason)


def require_redis(url: str) -> None:
    """Redis answering at ``url``, else :func:`missing` (fails under CI, skips with the reason elsewhere)."""
    from redis import Redis  # noqa: PLC0415 - only the tests that need Redis import it

    try:
        Redis.from_url(url, socket_connect_timeout=2).ping()
    except Exception as exc:  # noqa: BLE001 - any failure: no Redis here
        missing(f"Redis not reachable at {url}: {exc}")
