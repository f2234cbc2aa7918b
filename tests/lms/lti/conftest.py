"""Fixtures of the LTI tests: the test platform served over HTTP, and the world it launches into."""

from __future__ import annotations

import pytest

from tests.lms.lti.helpers import setup_world
from tests.lms.lti.platform import TestPlatform


@pytest.fixture
def platform():
    served = TestPlatform()
    yield served
    served.close()


@pytest.fixture
def world(app, tmp_path, platform):
    return setup_world(tmp_path, platform)
