"""The browser fixtures of tests/e2e for the security suite's Chromium tests (content isolation)."""

from tests.e2e.conftest import (  # noqa: F401  (fixtures and the hook closing the shared browser)
    browser,
    context,
    live_server,
    page,
    pytest_sessionfinish,
    unsafe_same_origin,
)
