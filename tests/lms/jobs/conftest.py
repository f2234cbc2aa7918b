"""Fixtures the job tests share with the reports' tests."""

from tests.lms.reports.conftest import world  # noqa: F401 - cadres due for reminders, a standard, a module
