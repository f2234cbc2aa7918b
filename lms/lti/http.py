"""The HTTP session of every call to a platform (JWKS, tokens, AGS, NRPS): a bounded wait."""

from __future__ import annotations

from typing import Any

import requests

#: seconds for each call to a platform
TIMEOUT = 10


class TimeoutSession(requests.Session):
    """A requests session whose calls time out after :data:`TIMEOUT` seconds unless told otherwise."""

    def request(self, *args: Any, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        kwargs.setdefault("timeout", TIMEOUT)
        return super().request(*args, **kwargs)
