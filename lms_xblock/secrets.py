"""Where the XBlock finds a consumer's shared secret. Never in course content (which course teams
export and share); in order of preference:

1. the XBlock ``settings`` service: ``XBLOCK_SETTINGS = {"UnionLmsXBlock": {"secrets": {"<key>": "<secret>"}}}``
   in the platform's Django settings (Tutor: a plugin patch of ``openedx-common-settings``);
2. the Django setting ``UNION_LMS_SECRETS = {"<key>": "<secret>"}``;
3. the environment variable ``UNION_LMS_SECRETS``: a JSON object ``{"<key>": "<secret>"}`` or
   ``key1=secret1,key2=secret2``.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from typing import Any

ENV_VAR = "UNION_LMS_SECRETS"


def parse_secrets(text: str) -> dict[str, str]:
    """Parse the environment variable's value (JSON object or ``key=secret`` pairs separated by commas)."""
    text = (text or "").strip()
    if not text:
        return {}
    if text.startswith("{"):
        try:
            data = json.loads(text)
        except ValueError:
            return {}
        return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}
    pairs = (part.split("=", 1) for part in text.split(",") if "=" in part)
    return {k.strip(): v.strip() for k, v in pairs if k.strip() and v.strip()}


def _django_secrets() -> Mapping[str, Any]:
    try:
        from django.conf import settings  # noqa: PLC0415 - optional, present inside Open edX
    except ImportError:
        return {}
    try:
        return getattr(settings, ENV_VAR, None) or {}
    except Exception:  # settings not configured outside a platform  # noqa: BLE001
        return {}


def find_secret(consumer_key: str, settings_bucket: Mapping[str, Any] | None = None) -> str | None:
    """The secret of ``consumer_key`` from the settings service bucket, Django settings or the environment."""
    if not consumer_key:
        return None
    for source in ((settings_bucket or {}).get("secrets") or {}, _django_secrets(), parse_secrets(os.environ.get(ENV_VAR, ""))):
        secret = source.get(consumer_key) if isinstance(source, Mapping) else None
        if secret:
            return str(secret)
    return None
