"""The SCO state rows a worker process last read or wrote on the plain commit path, with their versions.

A SCO commits every few seconds, each time from the same learner's page, and each commit used to read
the state row it then wrote. This cache keeps, per (attempt, SCO, session claim), the row as this
process last wrote it together with the PostgreSQL row versions (``xmin``) of the state and of the
attempt; the next commit is judged against it and written with one statement whose ``WHERE`` checks
both versions and the session's claim (see ``commit_sql.CACHED_UPDATE``). Any other write to the state
or the attempt — another worker, another tab, the locking path, a lecturer's change — changes a
version, the statement changes nothing, and the commit reads the row and is judged again, exactly as
when a concurrent commit wins the race. A cached row therefore never decides anything alone: answers
other than "stored" (duplicate, stale, refused) and every commit that needs the locking path are
judged on a fresh read.

Per Flask app (``app.extensions``), bounded by ``LMS_PLAYER_STATE_CACHE`` entries (0: off) and by the
size of the row's data (larger rows are not kept).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any, NamedTuple

from flask import Flask

#: rows whose JSON data is larger than this are not kept
MAX_ROW_BYTES = 64 * 1024

Key = tuple[int, str, int, int]


class Cached(NamedTuple):
    row: Any  # lms.player.commit_sql.StateRow
    state_version: str
    attempt_version: str


class StateCache:
    """A thread-safe LRU of :class:`Cached` rows."""

    def __init__(self, size: int):
        self._items: OrderedDict[Key, Cached] = OrderedDict()
        self._lock = threading.Lock()
        self.size = size

    def get(self, key: Key) -> Cached | None:
        with self._lock:
            return self._items.get(key)

    def put(self, key: Key, value: Cached) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def drop(self, key: Key) -> None:
        with self._lock:
            self._items.pop(key, None)

    def __len__(self) -> int:
        return len(self._items)


def state_cache(app: Flask) -> StateCache | None:
    """The app's cache, or None when ``LMS_PLAYER_STATE_CACHE`` is 0 (read on each call: a test or an
    operator may change it at run time)."""
    size = int(app.config.get("LMS_PLAYER_STATE_CACHE", 2048) or 0)
    if size <= 0:
        return None
    cache = app.extensions.get("lms_player_state_cache")
    if cache is None:
        cache = app.extensions.setdefault("lms_player_state_cache", StateCache(size))
    cache.size = size
    return cache
